"""Tests of the qvalley command (a package so that test module names do not collide)."""
