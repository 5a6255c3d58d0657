"""Tests of the ddd-events commands."""
