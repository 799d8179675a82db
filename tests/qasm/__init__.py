"""Tests of qvalley.qasm (a package so that test module names do not collide)."""
