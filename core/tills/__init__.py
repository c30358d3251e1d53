"""core.tills."""
