"""Tests of the project model."""
