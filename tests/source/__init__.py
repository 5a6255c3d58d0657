"""Tests of source files and module paths."""
