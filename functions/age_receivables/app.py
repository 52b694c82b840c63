"""Daily job: financed invoices past due plus grace become overdue, accrue late fees, then default."""

from datetime import datetime

from financing.clock import today
from financing.composition.invoices import age_receivables
from financing.observability import logger


def _as_of(event: dict) -> object:
    """The day being aged: the schedule's firing time (so a late or replayed run ages the right day)."""
    try:
        return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).date()
    except (KeyError, TypeError, ValueError, AttributeError):
        return today()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    counts = age_receivables(_as_of(event))
    logger.info("aged receivables", extra=counts)
    return counts
