"""References of the bulk link tables, checked once per statement on PostgreSQL (X-6).

Posting a month of a chain's statements writes an order line per SKU, day and store:
millions of rows. PostgreSQL checks a REFERENCES clause row by row (a query and a row
lock on the parent for each), which was two thirds of writing such rows (measured on the
link row per sale that statements had before ``statement_ranges``: 0.62 s of 0.9 s for a
store's 50,000 sales). For the references listed here the head office's
schema has no REFERENCES clause; statement-level triggers check the same rule instead,
over all the rows one statement wrote (its transition table), in one query:

* a row written to the child must name a parent row that exists;
* a parent row still named by a child cannot be deleted, nor its key changed.

The message and SQLSTATE (23503) are a foreign-key violation's, so the code that handles
one handles these. A store's SQLite database keeps its REFERENCES (it checks them
cheaply, and in one writer). What the per-row check's lock gave besides, that a parent
row cannot be deleted while another transaction's new child row waits to commit, kassi
does not need: it never deletes or re-keys a sale or a posted statement, and an unposted
statement is deleted only by ``delete_statement``, under its store's statement lock, as
the posting that writes its order lines is.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class Link:
    child: str
    column: str
    parent: str
    key: str

    @property
    def name(self) -> str:
        return f"kassi_ref_{self.child}_{self.column}"

    @property
    def constraint(self) -> str:
        """The name PostgreSQL gave the REFERENCES clause of an older head office."""
        return f"{self.child}_{self.column}_fkey"


SET_CHECKED = (
    Link("sales_order_lines", "order_id", "sales_orders", "id"),
    Link("sales_order_lines", "sku", "items", "sku"),
)


def is_set_checked(table: str, column: str) -> bool:
    return any(link.child == table and link.column == column for link in SET_CHECKED)


def _raise(message: str) -> str:
    return f"RAISE EXCEPTION USING MESSAGE = '{message}', ERRCODE = '23503';"


def ddl(links: tuple[Link, ...] = SET_CHECKED) -> list[str]:
    """The functions and triggers of every set-checked reference; runs again unchanged."""
    out: list[str] = []
    for link in links:
        c, p = f'"{link.column}"', f'"{link.key}"'
        missing = (
            f"SELECT 1 FROM kassi_new n WHERE n.{c} IS NOT NULL AND NOT EXISTS"
            f' (SELECT 1 FROM "{link.parent}" r WHERE r.{p} = n.{c})'
        )
        message = f"{link.child}.{link.column}: no such {link.parent} row (foreign key)"
        out.append(
            f'CREATE OR REPLACE FUNCTION "{link.name}_child"() RETURNS trigger'
            " LANGUAGE plpgsql AS $$\nBEGIN\n"
            f"    IF EXISTS ({missing}) THEN {_raise(message)} END IF;\n"
            "    RETURN NULL;\nEND $$"
        )
        # Old rows first: a status change of a statement is no reason to read its links.
        still = (
            "SELECT 1 FROM kassi_old o WHERE NOT EXISTS"
            f" (SELECT 1 FROM kassi_new n WHERE n.{p} = o.{p})"
            f' AND EXISTS (SELECT 1 FROM "{link.child}" c WHERE c.{c} = o.{p})'
        )
        gone = f'SELECT 1 FROM kassi_old o WHERE EXISTS (SELECT 1 FROM "{link.child}" c WHERE c.{c} = o.{p})'
        message = f"{link.parent} row still referenced by {link.child}.{link.column}"
        out.append(
            f'CREATE OR REPLACE FUNCTION "{link.name}_parent_update"() RETURNS trigger'
            " LANGUAGE plpgsql AS $$\nBEGIN\n"
            f"    IF EXISTS ({still}) THEN {_raise(message)} END IF;\n"
            "    RETURN NULL;\nEND $$"
        )
        out.append(
            f'CREATE OR REPLACE FUNCTION "{link.name}_parent_delete"() RETURNS trigger'
            " LANGUAGE plpgsql AS $$\nBEGIN\n"
            f"    IF EXISTS ({gone}) THEN {_raise(message)} END IF;\n"
            "    RETURN NULL;\nEND $$"
        )
        each = "FOR EACH STATEMENT EXECUTE FUNCTION"
        out += [
            f'ALTER TABLE "{link.child}" DROP CONSTRAINT IF EXISTS "{link.constraint}"',
            f'CREATE OR REPLACE TRIGGER "{link.name}_i" AFTER INSERT ON "{link.child}"'
            f' REFERENCING NEW TABLE AS kassi_new {each} "{link.name}_child"()',
            f'CREATE OR REPLACE TRIGGER "{link.name}_u" AFTER UPDATE ON "{link.child}"'
            f' REFERENCING NEW TABLE AS kassi_new {each} "{link.name}_child"()',
            f'CREATE OR REPLACE TRIGGER "{link.name}_pu" AFTER UPDATE ON "{link.parent}"'
            " REFERENCING OLD TABLE AS kassi_old NEW TABLE AS kassi_new"
            f' {each} "{link.name}_parent_update"()',
            f'CREATE OR REPLACE TRIGGER "{link.name}_pd" AFTER DELETE ON "{link.parent}"'
            f' REFERENCING OLD TABLE AS kassi_old {each} "{link.name}_parent_delete"()',
        ]
    return out


# What a head office made before migration 21 checked this way: the link row per sale.
RETIRED = (
    Link("statement_sales", "sale_id", "sales", "id"),
    Link("statement_sales", "statement_id", "statements", "id"),
)


def retired_ddl() -> list[str]:
    """Drop the parents' triggers of the retired links (before their child table goes)."""
    out: list[str] = []
    for link in RETIRED:
        out += [
            f'DROP TRIGGER IF EXISTS "{link.name}_pu" ON "{link.parent}"',
            f'DROP TRIGGER IF EXISTS "{link.name}_pd" ON "{link.parent}"',
            f'DROP FUNCTION IF EXISTS "{link.name}_parent_update"()',
            f'DROP FUNCTION IF EXISTS "{link.name}_parent_delete"()',
        ]
    return out
