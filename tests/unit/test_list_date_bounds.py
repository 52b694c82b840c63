"""The date bounds of list queries against plain references: the due-date span rule (calendar years),
and day ranges (each day's midnight compared with the bound, as datetime compares them)."""

from datetime import UTC, date, datetime, time, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from financing.domain.financing_list import MAX_DUE_SPAN_YEARS, day_range, due_span_too_wide


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


# ------------------------------------------------------------------ day ranges, to the calendar's ends

OPS = {
    "gt": lambda day, moment: day > moment,
    "gte": lambda day, moment: day >= moment,
    "lt": lambda day, moment: day < moment,
    "lte": lambda day, moment: day <= moment,
}
moments = st.one_of(
    st.datetimes(),  # naive: UTC
    st.datetimes(
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=6)), timezone(timedelta(hours=-6))])
    ),
    st.sampled_from(
        [
            datetime(1, 1, 1, 5, tzinfo=timezone(timedelta(hours=6))),  # before year 1 in UTC
            datetime(9999, 12, 31, 20, tzinfo=timezone(timedelta(hours=-6))),  # after 9999 in UTC
            datetime(9999, 12, 31, 0, 0, 1),
            datetime(1, 1, 1),
            datetime(9999, 12, 31, 23, 59, 59, 999999),
        ]
    ),
)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@given(op=st.sampled_from(sorted(OPS)), moment=moments)
def test_a_day_range_holds_exactly_the_days_whose_midnight_satisfies_the_comparison(op, moment):
    """Days near the bound (and the calendar's first and last) are in the range exactly when their
    midnight (UTC) compares as asked; a bound beyond the calendar's ends is no error."""
    low, high = day_range(**{name: moment if name == op else None for name in OPS})
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    near = moment.date().toordinal()
    candidates = {date.min, date.max} | {
        date.fromordinal(n) for n in range(near - 2, near + 3) if 1 <= n <= date.max.toordinal()
    }
    for day in candidates:
        inside = (low is None or low <= day) and (high is None or day <= high)
        assert inside == OPS[op](midnight(day), aware), (day, low, high)
