"""How hard the property tests look: `ci` (the default, `make test`) keeps the suite inside
its ten minutes; KASSI_TEST_DEPTH=deep (`make test-deep`) runs each at the depth it was
written for, for a change to a module's rules or before a release."""

from __future__ import annotations

import os

from hypothesis import settings

DEEP = os.environ.get("KASSI_TEST_DEPTH", "ci") == "deep"

# Tests that name no count of their own: Hypothesis's 100, or five times that when deep.
settings.register_profile("ci", settings(max_examples=100))
settings.register_profile("deep", settings(max_examples=500))
settings.load_profile("deep" if DEEP else "ci")


def examples(ci: int, deep: int) -> int:
    """``ci`` examples in the everyday run, ``deep`` in `make test-deep`."""
    return deep if DEEP else ci
