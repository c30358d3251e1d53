"""core.text."""
