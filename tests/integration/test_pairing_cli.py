"""`kassi terminal pair|unpair|pairings` and `kassi serve`'s bad input, as subprocesses
(SPEC W-1, W-2): each mistake one line, nothing changed."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.integration.kassi_command import CASHIER, MANAGER, Till

pytestmark = pytest.mark.integration


@pytest.fixture
def shop(tmp_path: Path) -> Till:
    return Till(tmp_path)


def _pairings(shop: Till) -> list[dict]:
    return json.loads(shop.ok("terminal", "pairings", "--json"))


def test_pair_prints_a_url_with_a_token_and_pairings_lists_it_without_the_token(shop):
    """W-2: the URL is shown once; `pairings` lists who paired and when, never a token."""
    out = shop.ok("terminal", "pair", "T1", "--url", "http://till-pc:8000/", *MANAGER)
    url = out.strip().splitlines()[-1]
    assert url.startswith("http://till-pc:8000/?t=") and len(url.split("?t=")[1]) >= 40
    listed = _pairings(shop)
    assert [(p["terminal_id"], p["live"], p["created_by"]) for p in listed] == [("T1", True, "1")]
    assert url.split("?t=")[1] not in shop.ok("terminal", "pairings", "--json")
    again = shop.ok("terminal", "pair", "T1", "--url", "http://till-pc:8000", *MANAGER)
    assert again.strip().splitlines()[-1] != url
    assert [p["live"] for p in _pairings(shop)] == [True, False]
    shop.ok("terminal", "unpair", "T1", *MANAGER)
    assert [p["live"] for p in _pairings(shop)] == [False, False]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("terminal", "pair", "NOPE", "--url", "http://x:8000", *MANAGER), "No terminal"),
        (("terminal", "pair", "T1", "--url", "till-pc:8000", *MANAGER), "http://HOST:PORT"),
        (("terminal", "pair", "T1", "--url", "http://x/?a=1", *MANAGER), "http://HOST:PORT"),
        (("terminal", "pair", "T1", "--url", "http://x:8000", *CASHIER), "not allowed"),
        (("terminal", "unpair", "T1", *MANAGER), "no thin client paired"),
        (("terminal", "pair", "T1\x1b[2J", "--url", "http://x:8000", *MANAGER), "No terminal"),
        (("serve", "--port", "99999"), "99999"),
        (("serve", "--url", "ftp://x"), "http://HOST:PORT"),
    ],
)
def test_bad_pairing_and_serve_input_is_one_line_and_changes_nothing(shop, args, says):
    """W-2 / C-9: an unknown terminal, an address that is not http(s), a cashier, nothing
    to revoke, an escape sequence, a port out of range: one line; no pairing, no entry."""
    before = shop.snapshot(ignore_login=True)
    line = shop.refused(*args)
    assert says in line, line
    assert "\x1b" not in line
    assert shop.snapshot(ignore_login=True) == before


def test_serve_on_a_port_in_use_says_so_in_one_line(shop):
    """W-1: a port another program listens on is one line, not a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = shop.refused("serve", "--host", "127.0.0.1", "--port", str(port))
    assert f"Cannot listen on 127.0.0.1:{port}" in line
