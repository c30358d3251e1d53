"""`kassi terminal pair T --print`: the pairing's URL as a QR code on the terminal's
printer, for the scanner of the thin client being set up (SPEC W-2), as subprocesses on
a demo database. The slip is printed now or not at all: no print job, and the token is
nowhere in the database (only its hash is stored)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from core.printing import jobs as print_jobs
from core.text.i18n import translate
from core.tills import pairing
from tests.hardware.escpos_decoder import decode, texts
from tests.hardware.fake_printers import FakeNetworkPrinter, refused_port
from tests.integration.kassi_command import MANAGER, Till

pytestmark = pytest.mark.integration

PRINT_FAILED = 5


@pytest.fixture
def network() -> Iterator[FakeNetworkPrinter]:
    with FakeNetworkPrinter() as printer:
        printer.end = time.monotonic() + 60
        yield printer


def pair_url(out: str) -> str:
    return out.strip().splitlines()[1]


def assert_token_not_stored(till: Till, url: str) -> None:
    token = url.split("?t=", 1)[1]
    with till.open_db() as db:
        assert print_jobs.pending(db, "T1") == []
        assert db.scalar("SELECT COUNT(*) FROM print_jobs") == 0
        assert pairing.paired_terminal(db, token) == "T1"  # the URL works
    for path in till.db_path.parent.glob(till.db_path.name + "*"):  # the file, its WAL
        assert token.encode() not in path.read_bytes()


def test_the_pairing_slip_carries_the_url_as_a_qr_code_and_is_never_stored(till: Till) -> None:
    """W-2: `pair --print` prints the URL it shows as a QR code (and as text), on the
    terminal's printer; no job keeps it and the token is in no database file."""
    out = till.ok("terminal", "pair", "T1", "--url", "http://butik:8000", "--print", *MANAGER)
    url = pair_url(out)
    assert url.startswith("http://butik:8000/?t=")
    title = f"{translate('PAIRING A THIN CLIENT', 'da')} T1"
    assert f"Sent, unconfirmed: {title}." in out  # the slip in the store's language
    events = decode(till.printed())
    assert [e[1] for e in events if e[0] == "qr"] == [url]
    text = "".join(texts(events)).replace("\n", "")
    assert url in text and translate("PAIRING A THIN CLIENT", "da") in text
    assert_token_not_stored(till, url)


def test_a_printer_that_confirms_says_printed(till: Till, network: FakeNetworkPrinter) -> None:
    """W-2 / P-2: a printer that answered after the data: "printed (confirmed)"."""
    till.set_printer(network.config(timeout=1))
    out = till.ok(
        "--lang", "en", "terminal", "pair", "T1", "--url", "http://butik:8000", "--print", *MANAGER
    )
    title = translate("PAIRING A THIN CLIENT", "da")
    assert f"Printed (confirmed by the printer): {title} T1." in out
    (slip,) = network.receipts
    assert [e[1] for e in decode(slip) if e[0] == "qr"] == [pair_url(out)]
    assert_token_not_stored(till, pair_url(out))


def test_a_printer_that_is_off_says_so_and_the_pairing_stands(till: Till) -> None:
    """W-2: no printer listening: one line on stderr with the reason, exit 5, the URL was
    shown and works; nothing is queued (a pending job would hold the token)."""
    till.set_printer({"kind": "network", "host": "127.0.0.1", "port": refused_port(), "timeout": 1})
    result = till.run(
        "--lang", "en", "terminal", "pair", "T1", "--url", "http://butik:8000", "--print", *MANAGER
    )
    assert result.returncode == PRINT_FAILED, result.stderr
    url = pair_url(result.stdout)
    (line,) = [ln for ln in result.stderr.splitlines() if not ln.startswith("Warning:")]
    title = translate("PAIRING A THIN CLIENT", "da")
    assert f"{title} T1 did not print: The printer refused the connection" in line
    assert line.endswith("The URL above works all the same.")
    assert_token_not_stored(till, url)
