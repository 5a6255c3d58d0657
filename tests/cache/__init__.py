"""Tests of the result cache."""
