"""The due-date span rule of list queries, against a plain reference: calendar (year, month, day) compared."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from financing.domain.financing_list import MAX_DUE_SPAN_YEARS, due_span_too_wide


def reference(first: date, last: date) -> bool:
    """Too wide when `last` is past the same calendar day MAX_DUE_SPAN_YEARS years on (a 29 February
    start reaches 28 February: ten years on is never a leap year)."""
    years = last.year - first.year
    return years > MAX_DUE_SPAN_YEARS or (
        years == MAX_DUE_SPAN_YEARS and (last.month, last.day) > (first.month, first.day)
    )


@given(first=st.dates(), offset=st.integers(-10, 4000 * 3))
def test_the_span_rule_agrees_with_calendar_arithmetic(first, offset):
    try:
        last = first + timedelta(days=offset)
    except OverflowError:
        last = date.max
    assert due_span_too_wide(first, last) == reference(first, last)


def test_an_open_bound_is_never_too_wide():
    assert not due_span_too_wide(None, date.max)
    assert not due_span_too_wide(date.min, None)
    assert due_span_too_wide(date.min, date.max)
    assert not due_span_too_wide(date(2020, 2, 29), date(2030, 2, 28))
    assert due_span_too_wide(date(2020, 2, 29), date(2030, 3, 1))
