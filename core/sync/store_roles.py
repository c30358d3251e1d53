"""Each store's own PostgreSQL role at head office (X-3).

A store's sync connects with it. Row-level security and the grants made here (the
policies are core.store.pg_chain's) let it read only the master data it pulls and
insert only its own store's deliveries: it cannot read or write a sale, a statement or
the journal at head office, so a stolen store machine cannot alter another store or
history there. Made by ``kassi --db URL hq store-role STORE``, audited at head office.
"""

from __future__ import annotations

import re

from core.audit import journal as audit
from core.errors import InputError
from core.staff.auth import require
from core.store.db import Db
from core.store.pg_chain import DELIVERIES, DELIVERY_COLUMNS, READ, READ_OWN, ROLES, STAFF_COLUMNS
from core.store.records import Staff
from core.text.i18n import _

PERMISSION = "config.manage"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
MIN_PASSWORD = 12


def role_name_for(store_id: str) -> str:
    """The role a store connects with unless told otherwise: kassi_store_<store id>."""
    return ("kassi_store_" + re.sub(r"[^a-z0-9_]", "_", store_id.lower()))[:63]


def _may_grant(db: Db, actor: Staff, role: str) -> None:
    require(actor, PERMISSION)
    if db.dialect != "postgresql":
        raise InputError(_("Store roles are a head office's on PostgreSQL."))
    if not _ROLE_NAME.fullmatch(role):
        raise InputError(
            _("{role!r} is not a role name: lower-case letters, digits and _.").format(role=role)
        )


def grant_store_role(db: Db, actor: Staff, store_id: str, role: str, password: str) -> bool:
    """Make the store's login role (or set its new password), with exactly the rights its
    sync needs; returns whether the role is new. Needs a head-office owner connection."""
    _may_grant(db, actor, role)
    if len(password) < MIN_PASSWORD:
        raise InputError(
            _("A store's database password has at least {n} characters.").format(n=MIN_PASSWORD)
        )
    with db.write():
        if db.one("SELECT 1 FROM stores WHERE id = ?", (store_id,)) is None:
            raise InputError(_("There is no store {store}.").format(store=store_id))
        other = db.scalar(f"SELECT store_id FROM {ROLES} WHERE role_name = ?", (role,))
        if other is not None and other != store_id:
            raise InputError(
                _("The role {role} is store {other}'s already.").format(role=role, other=other)
            )
        exists = db.one("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)) is not None
        if exists and other is None:
            raise InputError(
                _("The role {role} exists and is not a store's: choose another name.").format(
                    role=role
                )
            )
        literal = db.scalar("SELECT quote_literal(?)", (password,))
        verb = "ALTER" if exists else "CREATE"
        # NOINHERIT and no other membership: the role has only what is granted here.
        db._run(f'{verb} ROLE "{role}" LOGIN NOINHERIT PASSWORD {literal}')
        database = db.scalar("SELECT current_database()")
        db._run(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
        db._run(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        for table in (*READ, *READ_OWN):
            db._run(f'GRANT SELECT ON "{table}" TO "{role}"')
        db._run(f'GRANT SELECT ({", ".join(STAFF_COLUMNS)}) ON staff TO "{role}"')
        db._run(f'GRANT SELECT ON {DELIVERIES} TO "{role}"')
        db._run(f'GRANT INSERT ({", ".join(DELIVERY_COLUMNS)}) ON {DELIVERIES} TO "{role}"')
        db.execute(
            f"INSERT INTO {ROLES} (role_name, store_id) VALUES (?, ?)"
            " ON CONFLICT (store_id) DO UPDATE SET role_name = EXCLUDED.role_name",
            (role, store_id),
        )
        audit.append(
            db,
            "sync.store_role",
            staff_id=actor.id,
            entity="store",
            entity_id=store_id,
            details={"role": role, "new": not exists},
        )
    return not exists


OFFICE_GROUP = "kassi_office"


def grant_office_role(db: Db, actor: Staff, role: str) -> bool:
    """Let a head-office person's own PostgreSQL role work the back office: it joins the
    ``kassi_office`` group, which may read and write kassi's tables (not change them);
    they still log in with their kassi staff PIN, as at a store (X-3). Returns whether
    the group was new. Needs a head-office owner connection."""
    _may_grant(db, actor, role)
    with db.write():
        if db.one("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)) is None:
            raise InputError(
                _("There is no database role {role}: make it first (CREATE ROLE).").format(
                    role=role
                )
            )
        if db.scalar(f"SELECT store_id FROM {ROLES} WHERE role_name = ?", (role,)) is not None:
            raise InputError(_("The role {role} is a store's.").format(role=role))
        new = db.one("SELECT 1 FROM pg_roles WHERE rolname = ?", (OFFICE_GROUP,)) is None
        if new:
            db._run(f'CREATE ROLE "{OFFICE_GROUP}" NOLOGIN')
        database = db.scalar("SELECT current_database()")
        db._run(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{OFFICE_GROUP}"')
        db._run(f'GRANT USAGE ON SCHEMA public TO "{OFFICE_GROUP}"')
        db._run(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{OFFICE_GROUP}"'
        )
        db._run(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{OFFICE_GROUP}"')
        # And what a later `kassi hq init` (a migration) makes.
        db._run(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE"
            f' ON TABLES TO "{OFFICE_GROUP}"'
        )
        db._run(
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{OFFICE_GROUP}"'
        )
        db._run(f'GRANT "{OFFICE_GROUP}" TO "{role}"')
        audit.append(
            db,
            "sync.office_role",
            staff_id=actor.id,
            entity="role",
            entity_id=role,
            details={"group": OFFICE_GROUP},
        )
    return new
