"""Tests of checking one module."""
