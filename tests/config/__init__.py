"""Tests of options and their sources."""
