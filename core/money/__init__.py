"""core.money."""
