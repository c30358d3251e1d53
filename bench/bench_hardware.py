"""Receipts on paper: how long building and rendering one takes, how many bytes it
costs against its plain text, and how long those bytes take down a serial line.

- build + render a 20-line receipt (core.printing.receipts.sale_receipt -> hardware.render):
  goal: median under 5 ms, so printing never shows at the till.
- ESC/POS bytes per receipt against its plain text (the same lines as the screen
  shows them): goal at most 1.25x, i.e. the commands stay a small overhead.
- the transfer time of those bytes at 9600, 38400 and 115200 baud (8N1: 10 bits
  a byte): informational; 9600 is many serial printers' factory setting.
- the whole print path to a file sink (queue the job, claim, send, mark printed:
  four write transactions with a full fsync each): informational.
- a typical demo receipt (a 4-line cash sale from `init --demo`): its bytes and
  their time on the wire at 9600/38400/115200 baud (bytes * 10 / baud), and the
  time from deliver() to "confirmed" (GS r 1 answered after the data, SPEC P-2)
  on a healthy loopback network printer (tests/hardware/fake_printers.py):
  informational, the floor of what "pay" to "printed" costs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import Result, median_ms, p99_ms, timed
from core.money import rounding
from core.printing.layout import to_text
from core.printing.receipts import sale_receipt
from core.store.records import Payment, Sale, SaleLine, Store, Terminal
from hardware.render import render

AREA = "hardware"
WIDTH = 42
CODEPAGE = "CP858"
BAUDS = (9600, 38400, 115200)
NAMES = (
    "Rugbrød",
    "Franskbrød",
    "Letmælk 1 l",
    "Smør 250 g",
    "Æbler, danske 1 kg",
    "Kaffe, økologisk 400 g",
    "Rødgrød med fløde",
    "Skyr, hreint 500 g",
    "Harðfiskur 100 g",
    "Flødeboller 8 stk.",
)


def _store() -> Store:
    return Store(
        id="NORREBRO",
        name="Kassi Købmand Nørrebro",
        address="Nørrebrogade 52, 2200 København N",
        vat_number="CVR 12345678",
        currency="DKK",
        timezone="Europe/Copenhagen",
        locale="da",
        track_cash=True,
        cash_rounding=50,
        default_customer_id=None,
        end_of_business_day="03:00",
        post_as_business_day=True,
        statement_method="total",
        split_by_statement_method=False,
        max_posting_difference=5000,
        drawer_limit=None,
    )


def receipt_sale(lines: int = 20) -> Sale:
    """A realistic 20-line cash sale: two VAT rates, a discount, change given."""
    sale_lines = []
    for n in range(1, lines + 1):
        qty = 1 + n % 3
        price = 995 + 1250 * (n % 7)
        discount = 500 if n == 5 else 0
        total = qty * price - discount
        rate = 2500 if n % 4 else 1200
        sale_lines.append(
            SaleLine(
                n,
                f"{1000 + n}",
                NAMES[n % len(NAMES)],
                qty,
                price,
                discount,
                total,
                rate,
                rounding.vat_from_gross(total, rate),
            )
        )
    total = sum(ln.line_total for ln in sale_lines)
    due = (total + 25) // 50 * 50
    tendered = (due // 10000 + 1) * 10000
    return Sale(
        id=1,
        uid="0" * 32,
        kind="sale",
        store_id="NORREBRO",
        terminal_id="T1",
        receipt_no=1234,
        session_id=7,
        staff_id="2",
        customer_id=None,
        original_sale_id=None,
        created_at="2026-01-15T08:00:00.000000Z",
        currency="DKK",
        total=total,
        rounding=due - total,
        vat_total=sum(ln.vat_amount for ln in sale_lines),
        change_given=tendered - due,
        lines=tuple(sale_lines),
        payments=(Payment("cash", True, due, tendered),),
    )


def build_and_render(sale: Sale, store: Store, terminal: Terminal) -> bytes:
    doc = sale_receipt(sale, store, terminal, "Kasper Kasserer", {"cash": "Kontant"})
    return render(doc, WIDTH, CODEPAGE)


def _print_sale_path(quick: bool) -> tuple[list[float], bytes]:
    """The print path of one receipt to a file sink, database included; and the bytes
    of a typical demo receipt (4 lines, cash)."""
    from core.money.tendering import TenderInput
    from core.printing import sources as print_sources
    from core.printing.service import PrintService
    from core.staff import auth
    from core.store import demo
    from core.store.db import Db
    from core.tills import sales
    from core.tills.basket import LineInput
    from hardware.device import connect_printer

    rounds = 20 if quick else 100
    with tempfile.TemporaryDirectory(prefix="kassi-bench-") as tmp:
        db = Db(Path(tmp) / "bench.db")
        demo.load_demo(db, printer_dir=Path(tmp))
        actor = auth.authenticate(db, "1", "1234")
        lines = [LineInput(str(1001 + n % 4), 1 + n % 3) for n in range(20)]
        ids = [
            sales.record_sale(db, actor, "T1", lines, [TenderInput("cash", None)]).sale.id
            for _ in range(rounds)
        ]
        it = iter(ids)
        service = PrintService(connect_printer)
        samples = timed(lambda: service.print_sale(db, next(it)), rounds)
        typical = [LineInput(str(1001 + n), 1 + n % 2) for n in range(4)]
        sale = sales.record_sale(db, actor, "T1", typical, [TenderInput("cash", None)]).sale
        demo_bytes = render(print_sources.sale_document(db, sale.id)[0], WIDTH, CODEPAGE)
        db.close()
    return samples, demo_bytes


def _deliver_to_confirmed(data: bytes, quick: bool) -> list[float]:
    """deliver() of one receipt until its GS r reply, on one open loopback connection."""
    from hardware.device import connect_printer
    from tests.hardware.fake_printers import FakeNetworkPrinter

    rounds = 50 if quick else 300
    with FakeNetworkPrinter() as fake:
        printer = connect_printer(fake.config(timeout=3))
        printer.deliver(data)  # connect once: the till keeps its link open
        samples = timed(lambda: printer.deliver(data, pulse=True), rounds)
        printer.close()
        if len(fake.receipts) != rounds + 1:
            raise RuntimeError(f"the fake printed {len(fake.receipts)} of {rounds + 1} receipts")
    return samples


def run(quick: bool) -> list[Result]:
    store = _store()
    terminal = Terminal("T1", "NORREBRO", "Kasse 1", {"kind": "file"}, 1234)
    sale = receipt_sale(20)
    build_and_render(sale, store, terminal)  # warm caches (catalogs, codecs)
    repeat = 300 if quick else 3000
    samples = timed(lambda: build_and_render(sale, store, terminal), repeat)

    doc = sale_receipt(sale, store, terminal, "Kasper Kasserer", {"cash": "Kontant"})
    data = render(doc, WIDTH, CODEPAGE)
    plain = to_text(doc, WIDTH).encode("cp858", errors="replace")
    results = [
        Result(AREA, "build + render 20-line receipt, median", median_ms(samples), "ms", 5.0),
        Result(AREA, "build + render 20-line receipt, p99", p99_ms(samples), "ms"),
        Result(
            AREA,
            "ESC/POS bytes / plain text bytes",
            len(data) / len(plain),
            "x",
            1.25,
            note=f"{len(data)} B vs {len(plain)} B",
        ),
    ]
    for baud in BAUDS:
        results.append(
            Result(
                AREA, f"transfer 20-line receipt at {baud} baud", len(data) * 10 / baud * 1000, "ms"
            )
        )
    print_samples, demo_bytes = _print_sale_path(quick)
    results.append(
        Result(
            AREA,
            "print_sale to a file sink (queue+send, unconfirmed), median",
            median_ms(print_samples),
            "ms",
        )
    )
    results.append(
        Result(AREA, "demo receipt (4 lines, cash): ESC/POS bytes", len(demo_bytes), "B")
    )
    for baud in BAUDS:
        results.append(
            Result(
                AREA,
                f"demo receipt on the wire at {baud} baud",
                len(demo_bytes) * 10 / baud * 1000,
                "ms",
            )
        )
    confirm = _deliver_to_confirmed(demo_bytes, quick)
    results.append(
        Result(AREA, "deliver() to confirmed, loopback printer, median", median_ms(confirm), "ms")
    )
    results.append(
        Result(AREA, "deliver() to confirmed, loopback printer, p99", p99_ms(confirm), "ms")
    )
    return results
