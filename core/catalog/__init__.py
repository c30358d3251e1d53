"""core.catalog."""
