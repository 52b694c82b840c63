"""Outbox sweeper (scheduled): publishes entries the stream relay left behind, so no event is lost."""

from datetime import timedelta

from financing.adapters.outbox import PublishFailed, publish, settle, unpublished
from financing.observability import logger

# Older than this, an entry is no longer in the relay's hands (it retries for about a minute).
GRACE = timedelta(minutes=2)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    owed = unpublished(GRACE)
    accepted = publish(owed)
    published = [outbox for outbox, ok in zip(owed, accepted, strict=True) if ok]
    settle(published)
    if published:
        logger.warning("republished outbox entries the relay missed", extra={"count": len(published)})
    if len(published) < len(owed):
        # Kept for the next run; failing the run makes the refusal visible (retries, then the jobs' DLQ).
        raise PublishFailed(f"the bus refused {len(owed) - len(published)} of {len(owed)} owed entries")
    return {"republished": len(published)}
