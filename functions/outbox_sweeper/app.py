"""Outbox sweeper (scheduled): publishes entries the stream relay left behind, so no event is lost."""

from datetime import timedelta

from financing.adapters.outbox import publish, settle, unpublished
from financing.observability import logger

# Older than this, an entry is no longer in the relay's hands (it retries for about a minute).
GRACE = timedelta(minutes=2)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    owed = unpublished(GRACE)
    publish(owed)
    for outbox in owed:
        settle(outbox)
    if owed:
        logger.warning("republished outbox entries the relay missed", extra={"count": len(owed)})
    return {"republished": len(owed)}
