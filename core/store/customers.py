"""Customers: adding one, finding one, listing them."""

from __future__ import annotations

from core.store.db import Db
from core.store.lookups import by_id
from core.store.record_changes import authorize, check_id, insert_audited, require_new
from core.store.records import Customer, Staff
from core.text import validate
from core.text.i18n import N_, _


def add_customer(
    db: Db, actor: Staff | None, customer_id: str, name: str, email: str = "", phone: str = ""
) -> Customer:
    name = validate.name(name, "customer")
    email = validate.name(email, "email", required=False)
    phone = validate.name(phone, "phone", required=False)
    with db.write():
        authorize(db, actor)
        require_new(db, "customers", "id", check_id(customer_id, _("Customer")), _("Customer"))
        row = {
            "id": customer_id,
            "name": name,
            "email": email,
            "phone": phone,
            "created_at": db.now_iso(),
        }
        insert_audited(db, actor, "customers", "customer", row, {"name": name})
    return get_customer(db, customer_id)


def get_customer(db: Db, customer_id: str) -> Customer:
    return Customer.from_row(by_id(db, "customers", customer_id, N_("No customer with id {id}.")))


def list_customers(db: Db) -> list[Customer]:
    return [Customer.from_row(r) for r in db.all("SELECT * FROM customers ORDER BY id")]
