"""The nightly batch (T-2) and the business day (T-8): nothing sold after midnight is lost.

NORREBRO ends its business day at 03:00 (Europe/Copenhagen, CEST in June). A sale at
00:30 belongs to the previous business day's statement, one at 03:30 to the new one;
every sale ends up in exactly one statement.
"""

from __future__ import annotations

from datetime import date

from core.statements.batch import run_batch
from core.store import stores
from tests.core.test_statements_support import Shop, local


def sales_at(shop: Shop, *when: tuple[int, ...]) -> dict[tuple[int, ...], int]:
    """A card sale on T1 at each local time; {time: sale id}."""
    made = {}
    for moment in when:
        shop.at(*moment)
        made[moment] = shop.sell("T1").id
    return made


def taken_by(shop: Shop, outcome) -> set[int]:
    return set().union(*(shop.taken(sid) for sid in outcome.statements))


def test_a_sale_at_00_30_goes_to_the_previous_business_day_and_03_30_to_the_new_one(shop: Shop):
    """T-8, end of business day 03:00: the batch run at 04:00 on 1 June closes business day
    31 May = 31 May 03:00 to 1 June 03:00. It takes the 03:30 sale of 31 May and the 00:30
    sale of 1 June; the 00:30 sale of 31 May was business day 30 May's, the 03:30 sale of
    1 June is business day 1 June's."""
    sold = sales_at(shop, (2026, 5, 31, 0, 30), (2026, 5, 31, 3, 30), (2026, 6, 1, 0, 30))
    shop.at(2026, 6, 1, 1, 0)
    shop.close_all()
    sold |= sales_at(shop, (2026, 6, 1, 3, 30))  # the next day's session opens by itself
    shop.at(2026, 6, 1, 3, 45)
    shop.close_all()
    shop.at(2026, 6, 1, 4, 0)

    (outcome,) = run_batch(shop.db, shop.manager, store_ids=["NORREBRO"])
    assert outcome.ok, outcome.errors
    assert outcome.business_date == date(2026, 5, 31)
    assert (outcome.period_start, outcome.period_end) == (
        "2026-05-31T01:00:00.000000Z",
        "2026-06-01T01:00:00.000000Z",
    )
    assert taken_by(shop, outcome) == {sold[(2026, 5, 31, 3, 30)], sold[(2026, 6, 1, 0, 30)]}

    (before,) = run_batch(shop.db, shop.manager, store_ids=["NORREBRO"], day=date(2026, 5, 30))
    assert taken_by(shop, before) == {sold[(2026, 5, 31, 0, 30)]}
    (after,) = run_batch(shop.db, shop.manager, store_ids=["NORREBRO"], day=date(2026, 6, 1))
    assert taken_by(shop, after) == {sold[(2026, 6, 1, 3, 30)]}


def test_the_nightly_batch_drops_no_sale_made_between_midnight_and_the_cut_off(shop: Shop):
    """T-2/T-8: a week of late nights (sales at 22:00, 00:30, 02:59 and 03:30), the batch run
    each morning at 03:00 exactly with its default day: every sale is in exactly one
    statement, and each statement's sales are those of its business day."""
    sold: dict[tuple[int, ...], int] = {}
    outcomes = []
    for day in range(1, 8):
        sold |= sales_at(shop, (2026, 6, day, 3, 30), (2026, 6, day, 22, 0))
        sold |= sales_at(shop, (2026, 6, day + 1, 0, 30), (2026, 6, day + 1, 2, 59))
        shop.at(2026, 6, day + 1, 2, 59, 30)
        shop.close_all()
        shop.at(2026, 6, day + 1, 3, 0)  # the cut-off itself: business day `day` has ended
        (outcome,) = run_batch(shop.db, shop.manager, store_ids=["NORREBRO"])
        assert outcome.ok, outcome.errors
        assert outcome.business_date == date(2026, 6, day)
        outcomes.append(outcome)

    taken = [taken_by(shop, o) for o in outcomes]
    assert sum(len(t) for t in taken) == len(set().union(*taken))  # none taken twice
    assert set().union(*taken) == set(sold.values())  # none dropped
    for day, ids in zip(range(1, 8), taken, strict=True):
        assert ids == {
            sold[(2026, 6, day, 3, 30)],
            sold[(2026, 6, day, 22, 0)],
            sold[(2026, 6, day + 1, 0, 30)],
            sold[(2026, 6, day + 1, 2, 59)],
        }


def test_the_batch_by_calendar_date_splits_the_night_at_midnight(shop: Shop):
    """T-8 with "post as business day" off: the batch closes calendar days, so the 00:30
    sale belongs to the new date (and is still taken, by that day's statement)."""
    stores.update_store(shop.db, shop.manager, "NORREBRO", post_as_business_day=False)
    sold = sales_at(shop, (2026, 5, 31, 22, 0), (2026, 6, 1, 0, 30), (2026, 6, 1, 3, 30))
    shop.at(2026, 6, 1, 23, 0)
    shop.close_all()
    shop.at(2026, 6, 2, 0, 5)
    (may,) = run_batch(shop.db, shop.manager, store_ids=["NORREBRO"], day=date(2026, 5, 31))
    (june,) = run_batch(shop.db, shop.manager, store_ids=["NORREBRO"])
    assert june.business_date == date(2026, 6, 1)
    assert (may.period_end, june.period_start) == (
        local(2026, 6, 1).strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
    ) * 2
    assert taken_by(shop, may) == {sold[(2026, 5, 31, 22, 0)]}
    assert taken_by(shop, june) == {sold[(2026, 6, 1, 0, 30)], sold[(2026, 6, 1, 3, 30)]}
