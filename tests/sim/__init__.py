"""Tests of qvalley.sim (a package so that test module names do not collide)."""
