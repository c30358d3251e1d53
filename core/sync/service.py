"""One round of a store's sync, and the services that repeat it (X-2).

A round (``sync_once``): connect to head office with the store's role, take the
store's sync lock there (a second sync of the same store at that moment exits
cleanly, changing nothing), pull the master data (core.sync.master_data), deliver
what is new (core.sync.push), and optionally wait for head office to apply it.

``kassi sync --hq URL`` runs one round (for cron); ``--watch`` repeats it every
few seconds as a service, and a head office that cannot be reached is said in one
line and tried again with a growing pause (up to a few minutes), so a store offline
for days catches up, in order, when it is back. The sale never waits for any of it:
the store's own transactions are short and local.

At head office, ``kassi --db URL hq receive --watch`` applies the deliveries as they
come (core.sync.receive), woken by each one's NOTIFY.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from attrs import frozen

from core.errors import InputError, KassiError
from core.store.db import Db, connect, is_server_url
from core.store.pg_chain import DELIVERIES
from core.sync import master_data, push
from core.sync.master_data import PullSummary
from core.sync.push import Delivery, SyncStopped
from core.text.i18n import _, ngettext

LOCK_PREFIX = "kassi sync "
MAX_PAUSE_S = 300.0


@frozen
class Round:
    store: str
    busy: bool = False  # another sync of the store held the lock: nothing was done
    pulled: PullSummary | None = None
    delivered: Delivery | None = None
    applied: bool | None = None  # after waiting: applied at head office (None: not waited)
    master_version: int | None = None  # head office's master data as pulled (or unchanged)


def check_url(url: str) -> None:
    if not is_server_url(url):
        raise InputError(_("Head office is a postgresql:// URL, not {url!r}.").format(url=url))


def open_head_office(url: str) -> Db:
    check_url(url)
    try:
        return connect(url)
    except sqlite3.Error as exc:
        raise HeadOfficeUnreachable(
            _("Head office cannot be reached: {error}").format(error=str(exc).strip())
        ) from None


class HeadOfficeUnreachable(KassiError):
    exit_code = 4


def _store_of(db: Db, hq: Db, store_id: str | None) -> str:
    mine = hq.scalar("SELECT kassi_role_store()")
    local = [r[0] for r in db.all("SELECT id FROM stores ORDER BY id")]
    if store_id is None:
        store_id = mine
    if store_id is None and len(local) == 1:
        store_id = local[0]
    if store_id is None:
        raise InputError(_("Say which store to sync with --store."))
    if mine is not None and store_id != mine:
        raise InputError(
            _("This head-office role is store {mine}'s, not {store}'s.").format(
                mine=mine, store=store_id
            )
        )
    return str(store_id)


def sync_once(
    db: Db,
    hq_url: str,
    *,
    store_id: str | None = None,
    wait_s: float = 0.0,
    pulled_version: int | None = None,
) -> Round:
    """One round: pull master data (unless head office's is still ``pulled_version``),
    deliver what is new, wait for it to be applied."""
    hq = open_head_office(hq_url)
    try:
        store = _store_of(db, hq, store_id)
        lock = f"hashtextextended({LOCK_PREFIX!r} || ?, 0)"
        if not hq.scalar(f"SELECT pg_try_advisory_lock({lock})", (store,)):
            return Round(store, busy=True)
        try:
            push.check_not_refused(hq, store)
            now = master_data.version(hq)
            if now is not None and now == pulled_version:
                pulled, at = PullSummary({}), now  # nothing changed there
            else:
                data = master_data.read(hq, db, store)
                pulled, at = master_data.apply(db, data), data.version
            delivered = push.deliver(db, hq, store)
            applied = None
            if delivered is not None and wait_s > 0:
                applied = _wait_applied(hq, delivered.id, store, wait_s)
            return Round(store, pulled=pulled, delivered=delivered, applied=applied,
                         master_version=at)  # fmt: skip
        finally:
            hq.scalar(f"SELECT pg_advisory_unlock({lock})", (store,))
    except sqlite3.OperationalError as exc:  # the server went away mid-round
        raise HeadOfficeUnreachable(
            _("Head office cannot be reached: {error}").format(error=str(exc).strip())
        ) from None
    finally:
        hq.close()


def _wait_applied(hq: Db, delivery: int, store: str, wait_s: float) -> bool:
    deadline = time.monotonic() + wait_s
    while True:
        state = hq.scalar(f"SELECT state FROM {DELIVERIES} WHERE id = ?", (delivery,))
        if state in ("applied", "skipped"):
            return True
        if state == "refused":
            push.check_not_refused(hq, store)  # raises with head office's message
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def watch(
    db: Db,
    hq_url: str,
    *,
    store_id: str | None = None,
    interval_s: float = 10.0,
    say: Callable[[str], None] = print,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Repeat rounds until ``stop()``; say each outcome in one line. A refusal stops
    the service (exit code 5): it would only be refused again until fixed."""
    pause = interval_s
    pulled: int | None = None  # the master data version this service last pulled
    while not stop():
        try:
            result = sync_once(db, hq_url, store_id=store_id, pulled_version=pulled)
            say(describe(result))
            if not result.busy:
                pulled = result.master_version
            pause = interval_s
        except HeadOfficeUnreachable as exc:
            pause = min(max(pause * 2, interval_s), MAX_PAUSE_S)
            say(
                _("{problem} Trying again in {seconds} s.").format(
                    problem=exc.message, seconds=int(pause)
                )
            )
        except SyncStopped:
            raise
        _sleep(pause, stop)


def _sleep(seconds: float, stop: Callable[[], bool]) -> None:
    end = time.monotonic() + seconds
    while not stop() and time.monotonic() < end:
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))


def describe(result: Round) -> str:
    """The round in one line, for the service's log."""
    if result.busy:
        return _("Another sync of store {store} is running: this one did nothing.").format(
            store=result.store
        )
    pulled = result.pulled.total if result.pulled else 0
    d = result.delivered
    if d is None:
        sent = _("nothing new to deliver")
    else:
        sent = ngettext(
            "delivered entries {since}-{head} ({sales} sale)",
            "delivered entries {since}-{head} ({sales} sales)",
            d.sales,
        ).format(since=d.since + 1, head=d.head, sales=d.sales)
        if result.applied is True:
            sent += _(", applied at head office")
        elif result.applied is False:
            sent += _(", not applied yet (is kassi hq receive running?)")
    return ngettext(
        "Store {store}: {pulled} master data row changed, {sent}.",
        "Store {store}: {pulled} master data rows changed, {sent}.",
        pulled,
    ).format(store=result.store, pulled=pulled, sent=sent)


def applied_line(got) -> str:
    """The receiver's line for a batch (core.sync.receive.Received)."""
    return ngettext(
        "Applied {applied} delivery ({sales} sales), {skipped} already here, {refused} refused.",
        "Applied {applied} deliveries ({sales} sales), {skipped} already here, {refused} refused.",
        got.applied,
    ).format(applied=got.applied, sales=got.sales, skipped=got.skipped, refused=got.refused)


def receive_forever(
    db: Db,
    *,
    poll_s: float = 5.0,
    say: Callable[[str], None] = print,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Head office's receiver: apply deliveries as their NOTIFY arrives (and every
    ``poll_s`` anyway), until ``stop()``."""
    from core.sync.receive import receive

    listener = db.listen(DELIVERIES)
    try:
        while not stop():
            try:
                got = receive(db)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise  # the server went away: the service manager starts us again
                # Someone posts a long statement under the write lock: wait for them.
                say(_("Head office is busy ({error}); trying again.").format(error=exc))
                listener.wait(poll_s, stop)
                continue
            if got.applied or got.skipped or got.refused:
                say(applied_line(got))
                for problem in got.problems:
                    say(problem)
            listener.wait(poll_s, stop)
    finally:
        listener.close()
