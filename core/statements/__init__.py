"""core.statements."""
