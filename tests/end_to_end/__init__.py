"""Tests of flake8 end to end, whole projects, hard inputs."""
