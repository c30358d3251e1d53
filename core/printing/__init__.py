"""core.printing."""
