"""The gate (ast and text only): what each rule needs, and the cheap look that skips a file."""
