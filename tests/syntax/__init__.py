"""Tests of the parse and the collection pass."""
