"""Tests of the event map."""
