"""Daily job: financed invoices past due plus grace become overdue, accrue late fees, then default."""

from financing.clock import today
from financing.observability import logger
from financing.services.invoices import age_receivables


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    counts = age_receivables(today())
    logger.info("aged receivables", extra=counts)
    return counts
