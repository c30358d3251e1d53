"""core.reports."""
