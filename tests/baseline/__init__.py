"""Tests of the baseline."""
