"""What each printed document contains: receipts, slips, session summary and reports.

Builders turn records into ``core.printing.documents.Document`` in the store's language;
the screen and CLI show them with ``to_text`` and the printer renders them to
ESC/POS, so all three always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from core.money import amounts as money
from core.money import quantity
from core.printing.documents import Code, Document, Feed, Logo, Pair, Rule, Text
from core.store.db import parse_iso
from core.store.records import CashAdjustment, Sale, SaleDiscount, SaleLine, Store, Terminal
from core.text.dates import format_datetime
from core.text.display import safe_text as stored
from core.text.i18n import translate
from core.tills.discounts import PERCENT, format_percent
from core.tills.receipt_refs import barcode
from core.tills.session_views import SessionDetails


def local_time(instant: str, store: Store, lang: str | None = None) -> str:
    """A stored UTC instant as the store's local date and time, written the way the
    document's language writes dates (15.01.2026 09:00 in da/is), as the screens do."""
    return local_now(parse_iso(instant), store, lang)


def local_now(now: datetime, store: Store, lang: str | None = None) -> str:
    return format_datetime(now.astimezone(ZoneInfo(store.timezone)), lang or store.locale)


def local_clock(instant: str, store: Store) -> str:
    """Only the local time of day (a line under a page that already carries the date)."""
    return f"{parse_iso(instant).astimezone(ZoneInfo(store.timezone)):%H:%M}"


class _Builder:
    """Blocks in the store's language and money format."""

    def __init__(self, store: Store, lang: str | None = None) -> None:
        self.store = store
        self.lang = lang or store.locale
        self.blocks: list = []

    def t(self, message: str) -> str:
        return translate(message, self.lang)

    def m(self, minor: int | None) -> str:
        if minor is None:
            return "—"
        return money.format_amount(minor, self.store.currency, self.lang)

    def when(self, instant: str) -> str:
        return local_time(instant, self.store, self.lang)

    def add(self, *blocks) -> None:
        self.blocks.extend(blocks)

    def pair(self, label: str, minor: int | None, bold: bool = False) -> None:
        self.blocks.append(Pair(self.t(label), self.m(minor), bold=bold))

    def header(self, title: str, terminal: Terminal | None = None) -> None:
        s = self.store
        self.add(Text(stored(s.name), align="center", bold=True, size=2))
        if s.address:
            self.add(Text(stored(s.address), align="center"))
        if s.vat_number:
            self.add(Text(stored(s.vat_number), align="center"))
        self.add(Rule("="), Text(title, align="center", bold=True))
        if terminal is not None:
            self.add(Text(f"{self.t('Terminal')}: {stored(terminal.name)} [{stored(terminal.id)}]"))

    def document(self, title: str, kind: str, **extra) -> Document:
        return Document(title, tuple(self.blocks), kind=kind, **extra)


def sale_receipt(
    sale: Sale,
    store: Store,
    terminal: Terminal,
    staff_name: str,
    tender_names: Mapping[str, str],
    customer_name: str | None = None,
    lang: str | None = None,
    reprint: bool = False,
    logo: Logo | None = None,
) -> Document:
    """A sale or refund receipt with what a Nordic receipt must carry: store, VAT
    number, date and time, receipt number, terminal, staff, lines, total, VAT per
    rate, payments and change; the store's logo on top when it has one (P-5)."""
    b = _Builder(store, lang)
    if logo is not None:
        b.add(logo)
    refund = sale.kind == "refund"
    title = b.t("REFUND") if refund else b.t("RECEIPT")
    b.header(title + (" — " + b.t("COPY") if reprint else ""), terminal)
    b.add(
        Text(f"{b.t('Receipt')}: {sale.receipt_no}    {b.when(sale.created_at)}"),
        Text(f"{b.t('Served by')}: {stored(staff_name)}"),
    )
    if sale.original_ref:
        b.add(Text(f"{b.t('Refund of receipt')}: {sale.original_ref}", bold=True))
    if customer_name:
        b.add(Text(f"{b.t('Customer')}: {stored(customer_name)} [{stored(sale.customer_id)}]"))
    b.add(Rule())
    given = {d.line_no: d for d in sale.discounts}
    basket = given.get(None)
    for ln in sale.lines:
        qty = abs(ln.qty)
        sign = -1 if ln.qty < 0 else 1
        own = given.get(ln.line_no)
        # A line shows its own discount; its share of a basket discount is shown once,
        # under the subtotal. A refund line shows what it takes back of both.
        off = own.amount if own else (0 if basket else abs(ln.discount))
        # Name on its own line, then "qty x price" and the amount flush right: the
        # amount never wraps, even on 58 mm paper (32 columns).
        b.add(Text(stored(ln.name)), Pair("  " + _qty_text(b, ln, qty), b.m(_gross(ln))))
        if off:
            _discount_lines(b, own, -off * sign, "  ")
    b.add(Rule())
    if basket:
        b.pair("Subtotal", sale.total + basket.amount)
        _discount_lines(b, basket, -basket.amount, "", basket=True)
    else:
        b.pair("Subtotal", sale.total)
    if sale.rounding:
        b.pair("Cash rounding", sale.rounding)
    b.add(Pair(b.t("TOTAL"), b.m(sale.due), bold=True, size=2))
    b.add(Rule())
    for p in sale.payments:
        name = stored(b.t(tender_names.get(p.tender_id, p.tender_id)))
        if p.is_cash and p.tendered != p.amount:
            b.add(Pair(f"{name} ({b.t('handed over')})", b.m(p.tendered)))
        else:
            b.add(Pair(name, b.m(p.amount)))
    if sale.change_given:
        b.add(Pair(b.t("Change"), b.m(sale.change_given), bold=True))
    b.add(Rule())
    by_rate: dict[int, tuple[int, int]] = {}
    for ln in sale.lines:
        net, vat = by_rate.get(ln.vat_rate, (0, 0))
        by_rate[ln.vat_rate] = (net + ln.line_total - ln.vat_amount, vat + ln.vat_amount)
    for rate, (net, vat) in sorted(by_rate.items()):
        pct = money.format_amount(rate, "EUR", b.lang).rstrip("0").rstrip(",.")
        b.add(Pair(f"{b.t('VAT')} {pct} % {b.t('of')} {b.m(net)}", b.m(vat)))
    b.add(Feed(), Text(b.t("Thank you for shopping with us"), align="center"))
    kind = "refund_receipt" if refund else "sale_receipt"
    ref = barcode(terminal.id, sale.receipt_no)
    return b.document(f"{title} {ref}", kind, barcode=ref)


def _gross(ln: SaleLine) -> int:
    return quantity.gross(ln.qty, ln.unit_price, ln.unit)


def _qty_text(b: _Builder, ln: SaleLine, qty: int) -> str:
    """ "2 x 12,50", or for a weighed line "0,512 kg × 89,95 kr/kg" (K-8), in the
    receipt's language and number format."""
    if not quantity.is_measured(ln.unit):
        return f"{qty} x {b.m(ln.unit_price)}"
    amount = quantity.format_quantity(qty, ln.unit, b.lang)
    price = quantity.per_unit(ln.unit_price, b.store.currency, b.lang, ln.unit)
    return f"{amount} {ln.unit} \u00d7 {price}"


def _discount_lines(
    b: _Builder, given: SaleDiscount | None, minor: int, indent: str, basket: bool = False
) -> None:
    """``Discount 10 %`` and the amount, then the reason on its own line (it may be long;
    a reason typed at the till prints as typed)."""
    text = b.t("Basket discount") if basket else b.t("Discount")
    if given is not None and given.kind == PERCENT:
        text += " " + format_percent(given.value, b.lang)
    b.add(Pair(indent + text, b.m(minor)))
    if given is not None:
        b.add(Text(indent + "  " + stored(b.t(given.reason))))


def adjustment_slip(
    adj: CashAdjustment, store: Store, terminal: Terminal, lang: str | None = None
) -> Document:
    b = _Builder(store, lang)
    title = b.t("CASH ADDED") if adj.kind == "add" else b.t("CASH REMOVED")
    b.header(title, terminal)
    b.add(
        Text(f"{b.t('Session')}: {adj.session_id}    {b.when(adj.created_at)}"),
        Text(f"{b.t('Staff')}: {stored(adj.staff_name)}"),
        Rule(),
    )
    b.add(Pair(b.t("Amount"), b.m(adj.amount), bold=True, size=2))
    b.add(
        Text(f"{b.t('Note')}: {stored(adj.note)}"), Feed(2), Text(b.t("Signature") + ": ________")
    )
    return b.document(f"{title} {adj.id}", "adjustment_slip")


def deposit_slip(
    m,  # core.cash.safe.SafeMovement of kind "deposit"
    store: Store,
    staff_name: str,
    counts: Mapping[int, int],
    lang: str | None = None,
) -> Document:
    """K-1: the bank deposit slip, with the slip number and the notes and coins."""
    b = _Builder(store, lang)
    title = b.t("BANK DEPOSIT")
    b.header(title)
    b.add(
        Text(f"{b.t('Deposit slip')}: {stored(m.reference)}", bold=True),
        Text(b.when(m.created_at)),
        Text(f"{b.t('Staff')}: {stored(staff_name)}"),
        Rule(),
    )
    for denomination, n in sorted(counts.items(), reverse=True):
        b.add(Pair(f"{n} × {b.m(denomination)}", b.m(n * denomination)))
    if counts:
        b.add(Rule())
    b.add(Pair(b.t("Amount"), b.m(m.amount), bold=True, size=2))
    b.pair("Safe balance after", m.balance)
    if m.note:
        b.add(Text(f"{b.t('Note')}: {stored(m.note)}"))
    b.add(Feed(2), Text(b.t("Signature") + ": ________"))
    return b.document(f"{title} {m.reference}", "deposit_slip")


def pairing_slip(
    store: Store, terminal: Terminal, url: str, created_at: str, lang: str | None = None
) -> Document:
    """W-2: the URL of a thin client's pairing as a QR code, for the scanner of the screen
    it is set up on; printed, never stored (it is the key to the terminal's till)."""
    b = _Builder(store, lang)
    title = b.t("PAIRING A THIN CLIENT")
    b.header(title, terminal)
    b.add(
        Text(b.when(created_at)),
        Rule(),
        Text(b.t("Scan the code on the thin client's setup screen, or type the address below it.")),
        Feed(),
        Code("qr", url),
        Feed(),
        Text(
            b.t(
                "Whoever has this code gets this terminal's till: destroy the slip once the screen is set up."
            )
        ),
    )
    return b.document(f"{title} {terminal.id}", "pairing_slip")


def _session_head(b: _Builder, d: SessionDetails) -> None:
    s = d.session
    b.add(
        Text(f"{b.t('Session')}: {s.id}    {b.t('Open') if s.is_open else b.t('Closed')}"),
        Text(f"{b.t('Opened')}: {b.when(s.opened_at)}  {stored(d.opened_by_name)}"),
    )
    if s.open_note:  # S-3: the note given at the start belongs on every page of the session
        b.add(Text(f"{b.t('Opening note')}: {stored(s.open_note)}"))
    if s.closed_at:
        b.add(Text(f"{b.t('Closed')}: {b.when(s.closed_at)}  {stored(d.closed_by_name or '')}"))
    b.add(Rule())


def _neg(minor: int | None) -> int | None:
    return None if minor is None else -minor


def _cash_block(b: _Builder, d: SessionDetails) -> None:
    s, sm = d.session, d.summary
    b.pair("Starting amount", s.opening_float)
    if s.opening_discrepancy is not None:
        b.pair("Opening discrepancy", s.opening_discrepancy)
    if d.blind:  # K-3: nothing the expected cash could be worked out from
        b.add(Text(b.t("Blind close: the expected cash is shown after the count.")))
    else:
        b.pair("Cash payments", sm.cash_sales)
        b.pair("Cash refunds", _neg(sm.cash_refunds))
        b.pair("Cash added", sm.cash_added)
        b.pair("Cash removed", _neg(sm.cash_removed_during))
        if sm.from_safe:
            b.pair("Float from safe", sm.from_safe)
        if sm.dropped:
            b.pair("Safe drops", -sm.dropped)
        b.pair("Expected cash", d.expected_cash, bold=True)
        if d.over_limit is not None:  # K-2
            b.add(Text(b.t("Over the drawer limit by {amount}").format(amount=b.m(d.over_limit))))
    if not s.is_open:
        b.pair("Counted cash", s.counted_cash, bold=True)
        b.pair("Discrepancy", s.closing_discrepancy, bold=True)
        b.pair("Cash taken out", s.cash_removed)
        b.pair("Left in drawer", s.left_in_drawer)
    if d.adjustments:
        b.add(Rule(), Text(b.t("Cash actions"), bold=True))
        for a in d.adjustments:
            sign = 1 if a.kind == "add" else -1
            b.add(
                Pair(
                    f"{local_clock(a.created_at, b.store)} {stored(a.staff_name)}",
                    b.m(sign * a.amount),
                )
            )
            if a.note:
                b.add(Text("  " + stored(a.note)))
    _safe_lines(b, d)


def _safe_lines(b: _Builder, d: SessionDetails) -> None:
    """K-1: the session's float from the safe, its drops (with the bag) and the return."""
    if not d.safe:
        return
    from core.cash.safe import KIND_LABELS

    b.add(Rule(), Text(b.t("Safe"), bold=True))
    for m in d.safe:
        sign = 1 if m.kind == "float" else -1
        label = f"{local_clock(m.created_at, b.store)} {b.t(KIND_LABELS[m.kind])}"
        b.add(Pair(label, b.m(sign * m.amount)))
        if m.reference:
            b.add(Text("  " + b.t("Bag") + ": " + stored(m.reference)))


def _tenders_block(b: _Builder, d: SessionDetails) -> None:
    b.add(Rule(), Text(b.t("Payments by type"), bold=True))
    for t in d.summary.by_tender:
        if t.amount is None:  # K-3: the cash figure of a blind session
            b.add(Pair(f"{stored(b.t(t.name))} ({t.count})", "—"))
            continue
        b.add(Pair(f"{stored(b.t(t.name))} ({t.count})", b.m(t.amount)))
        if t.declared is not None and not t.is_cash:
            b.add(Pair("  " + b.t("Declared"), b.m(t.declared)))
            b.add(Pair("  " + b.t("Difference"), b.m(t.difference)))
    sm = d.summary
    b.add(Rule())
    b.add(Pair(f"{b.t('Total sales')} ({sm.sales_count})", b.m(sm.sales_total), bold=True))
    if sm.refunds_count:
        b.add(Pair(f"{b.t('Refunds')} ({sm.refunds_count})", b.m(_neg(sm.refunds_total))))
    if sm.discounts_count or sm.discounts_total:
        text = f"{b.t('Discounts given')} ({sm.discounts_count})"
        b.add(Pair(text, b.m(-sm.discounts_total)))
    if sm.rounding_total:
        b.pair("Cash rounding", sm.rounding_total)


def _head_block(b: _Builder, d: SessionDetails, *, full: bool = False) -> None:
    """R-3: the journal head, to compare with the head office's copy or `audit verify`."""
    if d.head is None:
        return
    b.add(Rule(), Text(f"{b.t('Journal head')}: {d.head.short}"))
    if full:
        b.add(Text(d.head.grouped))


def session_summary(d: SessionDetails, lang: str | None = None) -> Document:
    """The S-8 print step: cash only."""
    b = _Builder(d.store, lang)
    b.header(b.t("CASH SUMMARY"), d.terminal)
    _session_head(b, d)
    _cash_block(b, d)
    return b.document(f"{b.t('CASH SUMMARY')} {d.session.id}", "session_summary")


def history_page(d: SessionDetails, lang: str | None = None) -> Document:
    """The S-9 print page: every payment type."""
    b = _Builder(d.store, lang)
    b.header(b.t("SESSION"), d.terminal)
    _session_head(b, d)
    _cash_block(b, d)
    _tenders_block(b, d)
    return b.document(f"{b.t('SESSION')} {d.session.id}", "history_page")


def x_report(d: SessionDetails, now: datetime, lang: str | None = None) -> Document:
    """A snapshot of an open session; nothing is reset."""
    b = _Builder(d.store, lang)
    b.header(b.t("X REPORT"), d.terminal)
    b.add(Text(f"{b.t('Printed')}: {local_now(now, d.store, b.lang)}"))
    _session_head(b, d)
    _cash_block(b, d)
    _tenders_block(b, d)
    _head_block(b, d)
    return b.document(f"{b.t('X REPORT')} {d.session.id}", "x_report")


def z_report(d: SessionDetails, lang: str | None = None) -> Document:
    """The closing report of a closed session."""
    b = _Builder(d.store, lang)
    b.header(b.t("Z REPORT"), d.terminal)
    _session_head(b, d)
    _cash_block(b, d)
    _tenders_block(b, d)
    _head_block(b, d, full=True)
    return b.document(f"{b.t('Z REPORT')} {d.session.id}", "z_report")


def test_page(store: Store, terminal: Terminal, now: datetime, lang: str | None = None) -> Document:
    b = _Builder(store, lang)
    b.header(b.t("PRINTER TEST"), terminal)
    b.add(Text(local_now(now, store, b.lang)), Text("æøå ÆØÅ þð ÞÐ áéíóúý ÁÉÍÓÚÝ €"), Rule())
    b.add(Pair(b.t("Amount"), b.m(123450)))
    return b.document(b.t("PRINTER TEST"), "test_page", qr=f"kassi:{terminal.id}")
