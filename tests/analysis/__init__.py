"""Tests of recognition and the other analyses."""
