"""Retry schedules: one exponential backoff for everything retried through a queue (webhook deliveries,
the registrar's requests)."""

from dataclasses import dataclass

# SQS hides a message for at most 12 hours: no retry can wait longer than that.
MAX_RETRY_DELAY_SECONDS = 12 * 3600


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff: the n-th failure waits first_delay * factor^(n-1) seconds (at most max_delay,
    12 h unless told), until the next attempt would come later than max_age after the first was queued:
    then give up. Without max_age the schedule never gives up (the queue's receive count does)."""

    first_delay_seconds: int
    factor: float
    max_age_seconds: int | None = None
    max_delay_seconds: int = MAX_RETRY_DELAY_SECONDS

    def delay_after(self, failures: int) -> int:
        delay = self.first_delay_seconds * self.factor ** max(0, failures - 1)
        return int(min(self.max_delay_seconds, round(delay)))

    def next_delay(self, failures: int, age_seconds: float) -> int | None:
        """Seconds until the next attempt, or None when the delivery has run out of time."""
        delay = self.delay_after(failures)
        out_of_time = self.max_age_seconds is not None and age_seconds + delay > self.max_age_seconds
        return None if out_of_time else delay
