"""Which rows the signed journal covers (core/audit/covered.py, SPEC R-2): every table and
every column of the schema is decided, hashed or left out with a reason."""

from __future__ import annotations

from core.audit import content as audit_content
from core.audit import covered, verification
from core.store.db import Db


def _schema() -> dict[str, list[str]]:
    with Db(":memory:") as db:
        tables = [r[0] for r in db.all("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [r[1] for r in db.all(f'PRAGMA table_info("{t}")')] for t in tables}


def test_every_table_of_the_schema_is_covered_or_excluded_with_a_reason():
    """SPEC R-2: a new table must be decided: covered by the journal or excluded, and why."""
    schema = _schema()
    undecided = sorted(
        t for t in schema if t not in covered.COVERED and t not in covered.NOT_COVERED
    )
    assert undecided == [], f"decide these tables in core/audit/covered.py: {undecided}"
    assert not set(covered.COVERED) & set(covered.NOT_COVERED)
    assert all(reason.strip() for reason in covered.NOT_COVERED.values())


def test_every_column_of_a_covered_table_is_hashed_or_excluded_with_a_reason():
    """SPEC R-2: a new column of a covered table must be decided: hashed, or left out and why
    (a lockout counter is left out; a role is hashed)."""
    schema = _schema()
    for table, cover in covered.COVERED.items():
        assert table in schema, f"{table} is covered but not in the schema"
        columns = set(schema[table])
        decided = set(cover.hashed) | set(cover.excluded)
        assert columns - decided == set(), f"{table}: decide {sorted(columns - decided)}"
        assert decided - columns == set(), f"{table}: no such columns {sorted(decided - columns)}"
        assert not set(cover.hashed) & set(cover.excluded), table
        assert set(cover.key) <= set(cover.hashed), f"{table}: the key is part of the content"
        assert all(reason.strip() for reason in cover.excluded.values()), table
    staff = covered.COVERED["staff"]
    assert {"role", "permissions", "active", "pin_hash"} <= set(staff.hashed)
    assert {"failed_pins", "locked_until", "lockouts"} <= set(staff.excluded)
    stores = covered.COVERED["stores"]
    assert {"max_change", "max_adjustment", "min_pin_length"} <= set(stores.hashed)
    assert "discount_limits" in covered.COVERED


def test_the_row_hash_is_canonical_and_changes_with_any_hashed_value():
    """SPEC R-2: the content hash is of the row as stored, columns sorted; any value changes it."""
    columns = ("amount", "id", "note")
    base = audit_content.row_hash(columns, (100, 1, "coins"))
    assert base == audit_content.row_hash(columns, (100, 1, "coins"))
    assert base != audit_content.row_hash(columns, (101, 1, "coins"))
    assert base != audit_content.row_hash(columns, (100, 1, "coins "))
    assert base != audit_content.row_hash(columns, (None, 1, "coins"))
    assert base != audit_content.row_hash(columns, ("100", 1, "coins"))


def test_a_lockout_counter_change_writes_no_entry_but_a_role_change_is_caught(db, manager):
    """SPEC R-2 / R-10: wrong PINs change staff rows without an audit entry of their own only
    in the left-out counters; verify stays intact, while a role edited outside kassi is named."""
    before = db.scalar("SELECT COUNT(*) FROM audit_log")
    with db.write():
        db.execute("UPDATE staff SET failed_pins = 3, lockouts = 2 WHERE id = '2'")
    assert db.scalar("SELECT COUNT(*) FROM audit_log") == before
    assert verification.verify(db).ok
    db.execute("UPDATE staff SET role = 'manager' WHERE id = '2'")  # outside a kassi write
    db.execute("DELETE FROM temp.kassi_touched")  # as another program's connection would be
    result = verification.verify(db)
    assert not result.ok
    assert result.problem.startswith("staff row 2: changed since audit entry")
