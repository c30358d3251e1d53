"""Search folds case and accents the way Nordic staff type, from an index (SPEC C-4)."""

from __future__ import annotations

import re

import pytest

from core.catalog import items as catalog
from core.catalog import name_search
from core.store.db import Db
from core.store.schema import migrations


def names(db, text, store="NORREBRO"):
    return [i.name for i in catalog.search_items(db, text, store)]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("æbler", "Æbler 1 kg"),
        ("ÆBLER", "Æbler 1 kg"),
        ("øl", "Øl 33 cl"),
        ("ØL", "Øl 33 cl"),
        ("RUGBRØD", "Rugbrød"),
        ("smør", "Smør 250 g"),
        ("mælk", "Letmælk 1 l"),
    ],
)
def test_danish_letters_fold_case(db, typed, found):
    """C-4: Æ/æ, Ø/ø fold as Unicode case (SQLite's LIKE folds ASCII only)."""
    assert found in names(db, typed)


def test_a_typed_word_is_found_inside_a_compound(db):
    """C-4: "brød" finds Rugbrød and Franskbrød: Danish joins words."""
    assert sorted(names(db, "brød")) == ["Franskbrød", "Rugbrød"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("RÚGBRAUÐ", "Rúgbrauð"),
        ("brauð", "Franskbrauð"),
        ("ð", "Dagblað"),
        ("HARÐFISK", "Harðfiskur 100 g"),
        ("súkk", "Súkkulaði 100 g"),
        ("þykkvabæjar", "Þykkvabæjar kartöflur 2 kg"),
        ("ÞYKKVA", "Þykkvabæjar kartöflur 2 kg"),
        ("ávaxta", "Ávaxtasafi 1 l"),
        ("ÁVAXTASAFI", "Ávaxtasafi 1 l"),
    ],
)
def test_icelandic_letters_fold_case(db, typed, found):
    """C-4: Ð/ð, Þ/þ, Á/á, Ú/ú fold; the Reykjavík store searches its own names."""
    assert found in names(db, typed, "REYKJAVIK")


def test_plain_letters_find_accented_ones_but_a_typed_accent_is_kept(db, manager):
    """C-4: "a" finds á, å, æ (typed without the key); a typed "ø" finds only ø."""
    catalog.add_item(db, manager, "9002", "Brodie te", 4000, 2500, currency="DKK")
    assert "Rúgbrauð" in names(db, "rugbraud", "REYKJAVIK")
    assert "Øl 33 cl" in names(db, "ol")
    assert "Æbler 1 kg" in names(db, "aebler")
    assert "Rugbrød" in names(db, "rugbrod")
    assert sorted(names(db, "brod")) == ["Brodie te", "Franskbrød", "Rugbrød"]
    assert "Brodie te" not in names(db, "brød")  # ø typed: the cashier meant ø
    assert name_search.key("Þórsmörk ÁÐ Straße") == "thorsmork ad strasse"
    assert name_search.fold("ÞÓRSMÖRK ÆØÅ") == "þórsmörk æøå"


def test_every_typed_word_must_match_and_the_sku_prefix_finds(db):
    """C-4: words narrow the list; a SKU's start finds it; the exact SKU comes first."""
    assert names(db, "rug brød") == ["Rugbrød"]
    assert names(db, "brød kg") == []
    assert names(db, "1001")[0] == "Rugbrød"
    assert len(names(db, "")) == 20  # the first page of the catalog


def test_a_store_finds_its_own_names_not_another_stores(db):
    """C-4: REYKJAVIK sells 1001 as Rúgbrauð: "rugbrød" is not its name there."""
    assert "Rugbrød" in names(db, "rugbrød")
    assert [n for n in names(db, "rugbrød", "REYKJAVIK")] == []


def test_the_index_follows_an_added_item_and_a_renamed_one(db, manager):
    """C-4: names are folded and indexed where they are written (add, import)."""
    catalog.add_item(db, manager, "9001", "Ærøskøbing Æblemost", 2995, 2500, currency="DKK")
    assert names(db, "æblemost") == ["Ærøskøbing Æblemost"]
    catalog.import_catalog(db, manager, "sku,name,price,vat\n9001,Pærejuice,29.95,25\n", "DKK")
    assert names(db, "æblemost") == []
    assert names(db, "PÆRE") == ["Pærejuice"]
    stale = db.scalar(
        "SELECT COUNT(*) FROM item_name_terms WHERE sku = '9001' AND term = 'aeblemost'"
    )
    assert stale == 0


@pytest.mark.parametrize("typed", ["brød", "rug brød", "1001"])
def test_the_search_reads_the_index_not_the_catalog(db, typed):
    """C-4: EXPLAIN QUERY PLAN: ranges on the terms' and items' keys, no table scan."""
    sql, params = name_search.search_sql(catalog.ITEM_COLUMNS, typed, "NORREBRO", 20)
    plan = [r["detail"] for r in db.all("EXPLAIN QUERY PLAN " + sql, params)]
    assert "SEARCH t USING PRIMARY KEY (term>? AND term<?)" in plan
    assert any(
        step.startswith("SEARCH items USING") and "(sku>? AND sku<?)" in step for step in plan
    )
    scans = [step for step in plan if re.match(r"SCAN (i|t|o|si|items|item_name_terms)\b", step)]
    assert scans == [], plan


def test_the_migration_folds_and_indexes_existing_items(tmp_path, clock):
    """C-4: m005 fills the folded names and terms of a catalog made before it."""
    db = Db(tmp_path / "old.db", clock=clock, migrate=False)
    with db.write():
        migrations.apply(db.sql, stop_before="m005_item_name_fold")
        db.execute(
            "INSERT INTO items (sku, name, price, vat_rate) VALUES ('1', 'Ærøost', 100, 2500)"
        )
    db.migrate()
    assert db.scalar("SELECT name_fold FROM items WHERE sku = '1'") == "ærøost"
    assert [i.name for i in catalog.search_items(db, "RØO")] == ["Ærøost"]
    db.close()


def test_many_near_matches_never_hide_the_match(db, manager):
    """C-4: the cap on candidates applies after every typed word is checked."""
    rows = [f"{5000 + i},Olie {i},10.00,25" for i in range(name_search.CANDIDATES_MAX + 50)]
    rows += [f"{6000 + i},Brød {i},10.00,25" for i in range(name_search.CANDIDATES_MAX + 50)]
    rows += ["7001,Øl pilsner,10.00,25", "7002,Rugbrød special,10.00,25"]
    catalog.import_catalog(db, manager, "sku,name,price,vat\n" + "\n".join(rows) + "\n", "DKK")
    assert "Øl pilsner" in names(db, "øl")
    assert names(db, "special rug brød") == ["Rugbrød special"]
    assert "Rugbrød special" in names(db, "rug brød")
