"""Tests of event contracts."""
