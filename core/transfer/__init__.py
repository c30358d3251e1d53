"""core.transfer."""
