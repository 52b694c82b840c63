"""The volume report (funded and collected by month) folds the journal as a plain reference model counts
the money: each funding's advance in the month it was booked, each payment in the month it was booked."""

from collections import defaultdict
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from financing.domain import invoices as rules
from financing.domain.funding import Pricing
from financing.domain.iof import IofRates
from financing.domain.ledger import (
    Volume,
    month_of,
    month_volume,
    months_apart,
    months_before,
    months_between,
    volume_report,
    volumes,
)
from financing.domain.lifecycle import Status
from tests.unit.test_ledger_domain import START, approved, entry

step = st.one_of(
    st.tuples(st.just("pay"), st.integers(1, 10_000)),  # a share of the outstanding amount, in 1/10000
    st.tuples(st.just("wait"), st.integers(0, 45)),  # days the clock moves on (months pass)
    st.tuples(st.just("age"), st.integers(1, 60)),  # days the clock moves on, then the daily job runs
)
lifecycle = st.tuples(
    st.integers(100, 10_000_000),  # amount
    st.sampled_from(["usd", "brl", "jpy"]),
    st.integers(1, 10_000),  # advance rate
    st.integers(0, 3_000),  # fee rate
    st.integers(0, 90),  # days after START the invoice is funded
    st.lists(step, max_size=10),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(lifecycle, min_size=1, max_size=5), st.integers(0, 5_000))
def test_the_volume_by_month_is_what_a_plain_model_counts(lifecycles, late_rate):
    """Fund invoices on random days, pay random shares and age them as months pass: per (month,
    currency), the journal's volume is the advances funded and the payments received that month; a
    month's own volume (a closing's) is the same; and the report shows every month of a span."""
    journal = []
    reference: dict[tuple[str, str], Volume] = defaultdict(Volume)
    for amount, currency, advance_rate, fee_rate, funded_after, steps in lifecycles:
        moment = START + timedelta(days=funded_after)
        invoice = approved(amount=amount, currency=currency, due_in=10, at=moment)
        try:
            previous, _ = rules.fund(
                invoice,
                Pricing(advance_rate, fee_rate),
                disbursement_date=moment.date(),
                now=moment,
                iof_rates=IofRates() if currency == "brl" else None,  # withheld from the advance
            )
        except (rules.ClaimExceedsInvoice, rules.InvalidInput):
            continue  # never funded
        journal.append(entry(invoice, previous, moment))
        reference[(month_of(moment), currency)] += Volume(funded=previous.financing.first_payment)
        for kind, value in steps:
            if previous.status == Status.REPAID:
                break
            if kind == "pay":
                share = max(1, previous.outstanding_amount * value // 10_000)
                moved, _ = rules.record_payment(
                    previous, share, paid_date=moment.date(), reference="p", now=moment
                )
                reference[(month_of(moment), currency)] += Volume(collected=share)
            elif kind == "wait":
                moment += timedelta(days=value)
                continue
            else:
                moment += timedelta(days=value)
                moved, _ = rules.age(
                    previous,
                    today=moment.date(),
                    now=moment,
                    grace_days=2,
                    default_after_days=90,
                    late_rate=late_rate,
                )
            made = entry(previous, moved, moment)
            if made is not None:
                journal.append(made)
            previous = moved

    assert volumes(journal) == dict(reference)
    by_month = defaultdict(list)
    for made in journal:
        by_month[month_of(made.posted_at)].append(made)
    assert {
        (month, currency): volume
        for month, entries in by_month.items()
        for currency, volume in month_volume(entries).items()
    } == dict(reference)
    first, last = month_of(START), month_of(max((e.posted_at for e in journal), default=START))
    assert months_apart(first, last) == len(months_between(first, last)) - 1 >= 0
    reports = volume_report(reference, first, last)
    assert [r.currency for r in reports] == sorted({c for _, c in reference})
    for report in reports:
        assert [month for month, _ in report.months] == months_between(first, last)
        assert report.months == [
            (m, reference.get((m, report.currency), Volume())) for m in months_between(first, last)
        ]


def test_months_before_cross_the_year_and_stop_at_the_first_month_a_query_can_name():
    assert months_before("2026-03", 11) == "2025-04"
    assert months_before("2026-03", 0) == "2026-03"
    assert months_before("0000-05", 11) == "0000-01"
