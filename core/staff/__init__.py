"""core.staff."""
