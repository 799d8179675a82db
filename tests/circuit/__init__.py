"""Tests of qvalley.circuit (a package so that test module names do not collide)."""
