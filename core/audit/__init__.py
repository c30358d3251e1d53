"""core.audit."""
