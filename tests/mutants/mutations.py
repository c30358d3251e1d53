"""The mutations `make mutants` applies, one at a time, to a copy of the tree.

Each one breaks a rule the way a plausible slip would (a boundary, a sign, a check
left out, a step skipped) and names the tests that must then fail. When a refactor
moves or rewrites a snippet, `make mutants` (and tests/mutants/test_mutations.py)
stops with the mutation's name, the file and the snippet it could not find: update
``original`` (and ``replacement``) here to the new code, keeping the same slip.

``original`` must occur exactly once in ``file``; write it as it stands in the
source, indentation included, and keep it short (one or two lines).
``tests`` are pytest node ids or files, run with ``pytest -x`` in the copy: put the
one most likely to fail first, and keep them few (slow TUI tests only where the
rule lives in a screen). With ``every`` (a ``pytest -k`` expression) the selected
tests run to the end and *each* of them must fail, not just one: for the bad-input
cases, which must all reach the operation they name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    every: str = ""


BAD_INPUT = "tests/core/test_bad_input.py"
AMOUNT_CASES = (
    f"{BAD_INPUT}::test_an_amount_wrong_for_the_operation_is_refused_by_it_and_changes_nothing"
)
PERIODS = "tests/core/test_statement_periods.py"
BATCH = "tests/core/test_statement_batch.py"
TILL_RULES = "tests/tui/test_till_rules.py"
SCANNER = "tests/tui/test_scanner_input.py"
MONEY = "tests/core/test_money.py"
ROUNDING = (
    f"{MONEY}::test_danish_cash_rounding_to_half_krone",
    f"{MONEY}::test_cash_rounding_is_symmetric_for_refunds",
    f"{MONEY}::test_danish_cash_rounding_every_ore",
    f"{MONEY}::test_swedish_cash_rounding_to_whole_krona",
)

MUTATIONS: tuple[Mutation, ...] = (
    # -- T-8 business days and the nightly batch ------------------------------------------
    Mutation(
        name="the business-day period ends at midnight instead of the cut-off (T-8)",
        file="core/statements/periods.py",
        original="return _start_of(day, cutoff, tz), _start_of(day + timedelta(days=1), cutoff, tz)",
        replacement=(
            "return _start_of(day, cutoff, tz), _start_of(day + timedelta(days=1), MIDNIGHT, tz)"
        ),
        tests=(BATCH, PERIODS),
    ),
    Mutation(
        name="business_date(): the cut-off instant belongs to the day before (<= becomes <)",
        file="core/statements/periods.py",
        original="return day if _start_of(day, cutoff, tz) <= instant else day - timedelta(days=1)",
        replacement="return day if _start_of(day, cutoff, tz) < instant else day - timedelta(days=1)",
        tests=(PERIODS, BATCH),
    ),
    Mutation(
        name="the SQL business date puts the cut-off instant in the day before",
        file="core/statements/periods.py",
        original="f\"CASE WHEN {column} < '{bounds[mid]}' THEN {build(lo, mid - 1)}\"",
        replacement="f\"CASE WHEN {column} <= '{bounds[mid]}' THEN {build(lo, mid - 1)}\"",
        tests=(f"{PERIODS}::test_the_sql_business_date_agrees_with_the_python_one",),
    ),
    # -- T-6 posting over the maximum difference ------------------------------------------
    Mutation(
        name="an empty override reason is accepted (T-6)",
        file="core/statements/posting.py",
        original="        if not reason.strip():\n",
        replacement="        if False:\n",
        tests=(f"{BAD_INPUT}::test_a_blank_override_reason_is_refused_and_posts_nothing",),
    ),
    Mutation(
        name="a whitespace-only override reason is accepted (T-6)",
        file="core/statements/posting.py",
        original="        if not reason.strip():\n",
        replacement="        if not reason:\n",
        tests=(f"{BAD_INPUT}::test_a_blank_override_reason_is_refused_and_posts_nothing",),
    ),
    # -- S-8 the close wizard, the TUI no sale --------------------------------------------
    Mutation(
        name="the close wizard offers 0 instead of the starting amount to leave (S-8)",
        file="tui/screens/close_session.py",
        original="value=app.money(session.opening_float),",
        replacement="value=app.money(0),",
        tests=(f"{TILL_RULES}::test_the_close_wizard_offers_the_starting_amount_to_leave",),
    ),
    Mutation(
        name="the TUI no sale opens the drawer without the core permission and audit",
        file="tui/screens/terminal.py",
        original="            grant = drawer.no_sale(app.db, actor, app.terminal.id, requested_by=app.staff)\n",
        replacement="            grant = app.db.scalar('SELECT MAX(seq) FROM audit_log')\n",
        tests=(
            "tests/tui/test_till_guards.py"
            "::test_no_sale_by_someone_with_the_permission_opens_at_once_audited",
        ),
    ),
    # -- the bad-input cases reach the operation they name --------------------------------
    Mutation(
        name="adjust_cash raises before any check: every add and remove case must fail",
        file="core/tills/sessions.py",
        original='    if kind not in ("add", "remove"):\n',
        replacement='    raise RuntimeError("mutant")\n    if kind not in ("add", "remove"):\n',
        tests=(AMOUNT_CASES,),
        every="add- or remove-",
    ),
    Mutation(
        name="open_session raises before any check: every open case must fail",
        file="core/tills/sessions.py",
        original='    money.check_minor(opening_float, "opening_float")\n',
        replacement='    raise RuntimeError("mutant")\n',
        tests=(AMOUNT_CASES,),
        every="open-",
    ),
    Mutation(
        name="close_session raises before any check: every close case must fail",
        file="core/tills/sessions.py",
        original='    money.check_minor(counted, "counted")\n',
        replacement='    raise RuntimeError("mutant")\n',
        tests=(AMOUNT_CASES,),
        every="close-",
    ),
    Mutation(
        name="removing exactly the expected cash is refused (S-6)",
        file="core/tills/sessions.py",
        original="            if amount > expected:\n",
        replacement="            if amount >= expected:\n",
        tests=(f"{BAD_INPUT}::test_remove_more_than_the_drawer_should_hold_is_refused",),
    ),
    # -- M-3 cash rounding -----------------------------------------------------------------
    Mutation(
        name="cash rounding: a half increment rounds down instead of up (M-3)",
        file="core/money/rounding.py",
        original="    if 2 * r >= increment:\n",
        replacement="    if 2 * r > increment:\n",
        tests=ROUNDING,
    ),
    Mutation(
        name="cash rounding of a refund is not symmetric (M-3)",
        file="core/money/rounding.py",
        original="    q, r = divmod(abs(amount), increment)\n",
        replacement="    q, r = divmod(amount, increment)\n",
        tests=ROUNDING,
    ),
    # -- S-7 expected cash (the views of m019) --------------------------------------------
    Mutation(
        name="S-7 expected cash: cash added counts as removed and the other way round",
        file="core/store/migrations/m019.py",
        original="cash_received - cash_paid_out + cash_added - cash_removed\n",
        replacement="cash_received - cash_paid_out - cash_added + cash_removed\n",
        tests=("tests/core/test_expected_cash.py",),
    ),
    Mutation(
        name="S-7 cash summary: cash refunds paid out are added instead of subtracted",
        file="core/store/migrations/m019.py",
        original="cash_received - cash_paid_out + cash_added",
        replacement="cash_received + cash_paid_out + cash_added",
        tests=("tests/core/test_expected_cash.py",),
    ),
    Mutation(
        name="S-7 a cash refund's payment counts as cash received",
        file="core/store/migrations/m019.py",
        original="       MAX(-amount, 0) AS paid_out\n",
        replacement="       MAX(amount, 0) AS paid_out\n",
        tests=("tests/core/test_expected_cash.py",),
    ),
    # -- A-3 discrepancies ----------------------------------------------------------------
    Mutation(
        name="A-3 opening discrepancy of a session with its sign flipped",
        file="core/store/records.py",
        original="        return self.opening_float - self.previous_left\n",
        replacement="        return self.previous_left - self.opening_float\n",
        tests=("tests/core/test_session_lifecycle.py", "tests/core/test_reports.py"),
    ),
    Mutation(
        name="A-3 closing discrepancy of a session with its sign flipped",
        file="core/store/records.py",
        original="        return self.counted_cash - self.expected_cash\n",
        replacement="        return self.expected_cash - self.counted_cash\n",
        tests=("tests/core/test_session_lifecycle.py", "tests/core/test_reports.py"),
    ),
    Mutation(
        name="A-3 the view's opening discrepancy with its sign flipped",
        file="core/store/migrations/m019.py",
        original="s.opening_float - s.previous_left AS opening_discrepancy",
        replacement="s.previous_left - s.opening_float AS opening_discrepancy",
        tests=("tests/core/test_reports.py",),
    ),
    Mutation(
        name="A-3 the view's closing discrepancy with its sign flipped",
        file="core/store/migrations/m019.py",
        original="s.counted_cash - s.expected_cash AS closing_discrepancy",
        replacement="s.expected_cash - s.counted_cash AS closing_discrepancy",
        tests=("tests/core/test_reports.py",),
    ),
    Mutation(
        name="A-3 the view's total discrepancy leaves the closing one out",
        file="core/store/migrations/m019.py",
        original="COALESCE(d.opening_discrepancy, 0) + COALESCE(d.closing_discrepancy, 0)",
        replacement="COALESCE(d.opening_discrepancy, 0)",
        tests=("tests/core/test_reports.py",),
    ),
    # -- C-1 input at the counter, C-2 payments in any order -------------------------------
    Mutation(
        name="C-1 Enter on an empty item field pays the basket",
        file="tui/screens/sale.py",
        original="            return  # an empty Enter/Tab/LF never pays (C-1): paying needs F5\n",
        replacement="            return self.action_pay() if self.lines else None\n",
        tests=(f"{SCANNER}::test_enter_tab_or_lf_on_an_empty_field_never_pays",),
    ),
    Mutation(
        name="C-1 the pay dialog takes keys typed before it opened",
        file="tui/app.py",
        original="            if since is not None and event.time < since:\n",
        replacement="            if False:\n",
        tests=(f"{SCANNER}::test_keys_read_before_the_pay_dialog_opened_never_reach_it",),
    ),
    Mutation(
        name="C-1 every scan repaints the whole basket table",
        file="tui/screens/sale.py",
        original="        if len(rows) < len(drawn) // 2:\n",
        replacement="        if True:\n",
        tests=(f"{SCANNER}::test_a_scan_onto_a_long_basket_adds_one_row_and_repaints_no_other",),
    ),
    Mutation(
        name="C-2 a card may take more than is still due",
        file="core/money/tendering.py",
        original="            if amount > remaining:\n",
        replacement="            if amount > total:\n",
        tests=("tests/core/test_tendering.py",),
    ),
    # -- the audit journal ----------------------------------------------------------------
    Mutation(
        name="audit verify accepts an entry whose content no longer matches its hash",
        file="core/audit/verification.py",
        original="                if recomputed != row[10]:\n",
        replacement="                if False:\n",
        tests=("tests/core/test_audit.py",),
    ),
    # -- R-6 safe display -----------------------------------------------------------------
    Mutation(
        name="R-6 safe_text lets C1 controls through (an 8-bit CSI reaches the terminal)",
        file="core/text/display.py",
        original=r'    f"(?s:{_SEQUENCE})|[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]",',
        replacement=r'    f"(?s:{_SEQUENCE})|[\x00-\x1f\x7f{_BIDI_AND_SEPARATORS}]",',
        tests=("tests/core/test_display.py",),
    ),
    # -- transfers (R-3, R-8) ---------------------------------------------------------------
    Mutation(
        name="R-8 an older transfer file is applied instead of skipped",
        file="core/transfer/chain.py",
        original="self.skip = self.applied is not None and n <= self.applied",
        replacement="self.skip = self.applied is not None and n < 0",
        tests=("tests/core/test_transfer_chain.py",),
    ),
    Mutation(
        name="R-8 a session from an older file replaces its newer state",
        file="core/transfer/import_records.py",
        original='status == "open" and len(adjustments) <= len(known)',
        replacement='status == "open" and len(adjustments) == len(known)',
        tests=("tests/core/test_transfer_chain.py",),
    ),
    Mutation(
        name="R-3 the head office accepts an entry it holds under another hash",
        file="core/transfer/chain.py",
        original="        if held_hash is None or held_hash == digest:\n",
        replacement="        if True:\n",
        tests=("tests/core/test_transfer_chain.py",),
    ),
    # -- R-7 prices with their currency -------------------------------------------------
    Mutation(
        name="R-7 a store sells at an item's price in any currency (the currency not matched)",
        file="core/catalog/prices.py",
        original='    " AND p.store_id IS NULL AND p.currency = st.currency))"',
        replacement='    " AND p.store_id IS NULL))"',
        tests=("tests/core/test_prices.py",),
    ),
    # -- K-7 items from the back office --------------------------------------------------
    Mutation(
        name="K-7 an inactive item is sold at the till",
        file="core/tills/basket.py",
        original="        if not found[code].active:  # K-7",
        replacement="        if False:  # K-7",
        tests=("tests/core/test_item_admin.py",),
    ),
    Mutation(
        name="K-7 a renamed item keeps its old folded name in the search index",
        file="core/catalog/items.py",
        original="            name_search.reindex(db, [sku])  # the folded columns follow the name",
        replacement="            pass  # the folded columns follow the name",
        tests=("tests/core/test_item_admin.py",),
    ),
    # -- input at the edge (R-4, R-5) --------------------------------------------------------
    Mutation(
        name="R-5 a store boolean read in lower case only (TRUE silently off)",
        file="core/text/validate.py",
        original='    text = value.strip().lower() if isinstance(value, str) else ""\n    if text in _TRUE:',
        replacement='    text = value.strip() if isinstance(value, str) else ""\n    if text in _TRUE:',
        tests=("tests/core/test_validate.py",),
    ),
    Mutation(
        name="R-5 a barcode equal to another item's SKU let through by core",
        file="core/catalog/items.py",
        original="        if other is None and barcode != sku and barcode in codes:",
        replacement="        if False:",
        tests=(
            "tests/integration/test_input_edge.py::test_a_barcode_that_is_another_items_sku_is_refused",
        ),
    ),
    Mutation(
        name="R-1 audit verify skips the entries' signatures",
        file="core/audit/verification.py",
        original="                        public.verify(bytes(signature), ENTRY_PURPOSE + row[10]",
        replacement="                        (bytes(signature), ENTRY_PURPOSE + row[10]",
        tests=("tests/integration/test_tamper.py", "tests/core/test_audit.py"),
    ),
    Mutation(
        name="R-2 audit verify takes a covered row whatever its content hash",
        file="core/audit/verification.py",
        original="            if found is not None and found[0] == digest:\n",
        replacement="            if found is not None:\n",
        tests=("tests/core/test_audit_content.py", "tests/integration/test_tamper.py"),
    ),
    # -- the shop's administration (K-4, K-5) ----------------------------------------------
    Mutation(
        name="K-4 an inactive payment type still takes new payments",
        file="core/money/tendering.py",
        original="    if not tender.active:  # K-4: out of use for new payments, kept in old ones\n",
        replacement="    if False:\n",
        tests=(
            "tests/core/test_tender_admin.py::test_an_inactive_tender_takes_no_new_payment_but_stays_in_old_sessions",
        ),
    ),
    Mutation(
        name="K-5 require trusts the till's record of a staff member deactivated since",
        file="core/staff/auth.py",
        original="    current = _current_row(actor)\n",
        replacement="    current = None\n",
        tests=(
            "tests/core/test_staff_admin.py::test_a_deactivated_cashier_logged_in_on_a_till_is_refused_at_the_next_operation",
        ),
    ),
    Mutation(
        name="K-5 the last active manager may step down",
        file="core/staff/admin.py",
        original="    if not others:\n",
        replacement="    if False:\n",
        tests=("tests/core/test_staff_admin.py::test_the_last_active_manager_cannot_step_down",),
    ),
    Mutation(
        name="K-5 a supervisor may give more than their own permissions",
        file="core/staff/admin.py",
        original='    if above or ROLES.index(role) > ROLES.index(me["role"]):\n',
        replacement="    if False:\n",
        tests=(
            "tests/core/test_staff_admin.py::test_a_supervisor_cannot_raise_anyone_above_their_own_permissions",
        ),
    ),
    Mutation(
        name="K-5 a till keeps a deactivated cashier logged in",
        file="tui/app.py",
        original="            if log_out_if_inactive(self):\n",
        replacement="            if False:\n",
        tests=(
            "tests/tui/test_staff_admin.py::test_a_deactivated_cashier_is_logged_out_at_the_next_key",
        ),
    ),
    # -- P-4 printer settings ---------------------------------------------------------------
    Mutation(
        name="P-4 a bool passes for a whole number (port: true)",
        file="core/printing/settings.py",
        original="    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:",
        replacement="    if not isinstance(value, int) or not lo <= value <= hi:",
        tests=("tests/core/test_printer_settings.py",),
    ),
    Mutation(
        name="P-4 a new terminal's printer setting is stored unchecked",
        file="core/store/terminals.py",
        original="    setting = printer_settings.normalize(\n",
        replacement="    setting = (lambda s, profiles: s)(\n",
        tests=("tests/core/test_printer_settings.py", "tests/integration/test_terminal_cli.py"),
    ),
    # -- weighed goods (K-8) --------------------------------------------------------------------
    Mutation(
        name="K-8 a weighed line rounded half to even (the till disagrees with the scale label)",
        file="core/money/quantity.py",
        original="rounding=ROUND_HALF_UP))",
        replacement="rounding='ROUND_HALF_EVEN'))",
        tests=("tests/core/test_weighed.py",),
    ),
    Mutation(
        name="K-8 a scale label's EAN check digit not checked (a misread sells a wrong weight)",
        file="core/catalog/scale_labels.py",
        original="    if ean_check_digit(code[:12]) != int(code[12]):",
        replacement="    if False:",
        tests=("tests/core/test_weighed.py",),
    ),
    # -- thin clients (W-2) ---------------------------------------------------------------------
    Mutation(
        name="W-2 a revoked pairing still gives its terminal's till",
        file="core/tills/pairing.py",
        original="WHERE token_hash = ? AND revoked_at IS NULL",
        replacement="WHERE token_hash = ?",
        tests=("tests/core/test_pairing.py",),
    ),
    Mutation(
        name="W-2 a second tab for a terminal gets a second till",
        file="tui/web/server.py",
        original="        if live is not None and live.tab != tab:",
        replacement="        if False:",
        tests=("tests/integration/test_serve.py",),
    ),
)
