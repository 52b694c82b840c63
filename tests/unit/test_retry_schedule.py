"""The one retry schedule, used by webhook deliveries and registrar requests, against a plain model."""

from hypothesis import given
from hypothesis import strategies as st

from financing.domain.retries import MAX_RETRY_DELAY_SECONDS, RetrySchedule


def _plain_delay(first: int, factor: int, cap: int, failures: int) -> int:
    delay = first
    for _ in range(failures - 1):
        delay *= factor
    return min(cap, delay)


@given(
    first=st.integers(1, 3600),
    factor=st.integers(1, 4),
    cap=st.integers(1, MAX_RETRY_DELAY_SECONDS),
    failures=st.integers(1, 60),
)
def test_the_nth_failure_waits_first_times_factor_to_the_n_minus_one_capped(first, factor, cap, failures):
    schedule = RetrySchedule(first, factor, max_delay_seconds=cap)
    assert schedule.delay_after(failures) == _plain_delay(first, factor, cap, failures)


@given(
    first=st.integers(1, 600),
    failures=st.integers(1, 40),
    max_age=st.integers(1, 7 * 24 * 3600),
    age=st.integers(0, 8 * 24 * 3600),
)
def test_a_schedule_with_a_max_age_gives_up_once_the_next_attempt_would_be_too_late(
    first, failures, max_age, age
):
    delay = _plain_delay(first, 2, MAX_RETRY_DELAY_SECONDS, failures)
    expected = None if age + delay > max_age else delay
    assert RetrySchedule(first, 2, max_age).next_delay(failures, age) == expected


@given(failures=st.integers(1, 2000), age=st.integers(0, 10**9))
def test_a_schedule_without_a_max_age_never_gives_up(failures, age):
    assert RetrySchedule(2, 2).next_delay(failures, age) == _plain_delay(
        2, 2, MAX_RETRY_DELAY_SECONDS, failures
    )


def test_the_registrar_backoff_doubles_from_its_base_up_to_fifteen_minutes(monkeypatch):
    monkeypatch.setenv("REGISTRATION_RETRY_BASE_SECONDS", "3")
    from financing.config import settings
    from functions.register_credit_rights.app import _schedule

    settings.cache_clear()
    try:
        assert [_schedule().delay_after(n) for n in range(1, 11)] == [
            3,
            6,
            12,
            24,
            48,
            96,
            192,
            384,
            768,
            900,
        ]
    finally:
        settings.cache_clear()
