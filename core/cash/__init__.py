"""core.cash."""
