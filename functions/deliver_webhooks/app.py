"""Webhook deliverer: posts each queued delivery to its subscription's URL, signed, and records the attempt.

The messages of a batch are posted concurrently, each on its own thread of a pool as large as the batch,
and each attempt is cut at one deadline (webhook_transport.ATTEMPT_DEADLINE_SECONDS, 10 s): a slow receiver
delays no other message of its batch, and the batch ends within about one deadline. A failed delivery is reported as a batch item failure and hidden until its next attempt
(exponential backoff through SQS visibility); once out of time it is marked `failed` and moved to the
dead-letter queue, from which `make redrive` (or an SQS redrive) sends it back for another attempt.

Fair shares: a tenant's deliveries run in at most WEBHOOK_TENANT_INVOCATIONS invocations at a time. The
deliveries of a tenant already at its share are sent back to the queue as new messages, delayed a few seconds
(a new message: being put back does not count towards the queue's maxReceiveCount), so one tenant's slow or
failing receivers, however many deliveries it has queued, leave the rest of the deliverer to the others. And
a subscription whose receiver timed out three times running is not attempted while its circuit is open
(services.webhooks.deliver): its deliveries cost no deadline, and are recorded as deferred."""

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from secrets import randbelow
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from financing.adapters import queues, webhook_transport
from financing.adapters.aws import client
from financing.adapters.webhooks import CircuitStore, DeliveryStore, SubscriptionStore, TenantShares
from financing.clock import now
from financing.config import settings
from financing.domain.retries import RetrySchedule
from financing.domain.webhooks import Attempt, requeue_delay
from financing.observability import logger
from financing.services.webhooks import DeliveryRequest, deliver, fair_shares, tenant_of

processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
# At least the event source's BatchSize (template.yaml): no message of a batch waits for a thread. The
# default executor would be min(32, CPUs + 4) threads, fewer than a batch on a small Lambda.
POOL_SIZE = 10
_pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="deliver")


class RetryLater(Exception):
    """The receiver did not take the delivery; its message comes back after the backoff."""


def _schedule() -> RetrySchedule:
    config = settings()
    return RetrySchedule(
        config.webhook_retry_first_delay_seconds,
        config.webhook_retry_factor,
        config.webhook_retry_max_age_seconds,
    )


def _post(url: str, body: bytes, headers: dict[str, str]) -> Attempt:
    return webhook_transport.post(url, body, headers, allow_loopback=settings().webhook_allow_loopback)


def post_one(record: SQSRecord) -> None:
    request = DeliveryRequest.from_message(record.body)
    outcome = deliver(SubscriptionStore(), DeliveryStore(), CircuitStore(), _post, _schedule(), request)
    delivery = outcome.delivery
    logger.info(
        "webhook attempt",
        extra={"delivery": delivery.id, "status": delivery.status.value, "error": delivery.last_error},
    )
    if outcome.exhausted:
        queues.send_all(settings().webhook_dead_letter_queue_url, [record.body])
    elif outcome.retry_in is not None:
        queues.hide(record.event_source_arn, record.receipt_handle, outcome.retry_in)
        raise RetryLater(f"{delivery.id}: {delivery.last_error}; next attempt in {outcome.retry_in} s")


async def _post_one(record: SQSRecord) -> None:
    # as asyncio.to_thread does, with the context copied, but on the pool sized for a whole batch
    context = contextvars.copy_context()
    await asyncio.get_running_loop().run_in_executor(_pool, context.run, post_one, record)


def requeue(records: list[dict]) -> list[dict]:
    """Send the records back to their queue as new messages, each delayed a few seconds (jittered); those
    SQS refused are hidden for as long and returned, to be reported as failures (they come back anyway)."""
    if not records:
        return []
    later = [(record["body"], requeue_delay(randbelow(1000) / 1000)) for record in records]
    refused = queues.send_later(queues.queue_url_of(records[0]["eventSourceARN"]), later)
    for n in refused:
        queues.hide(records[n]["eventSourceARN"], records[n]["receiptHandle"], later[n][1])
    logger.info("webhook deliveries requeued", extra={"requeued": len(records), "refused": len(refused)})
    return [records[n] for n in refused]


@logger.inject_lambda_context
def lambda_handler(event: dict, context: Any) -> dict:
    for service in ("dynamodb", "sqs"):
        client(service)  # created before the threads: creating a botocore client is not thread-safe
    batch = [(tenant_of(record["body"]), record) for record in event["Records"]]
    until = now().timestamp() + context.get_remaining_time_in_millis() / 1000
    limit = settings().webhook_tenant_invocations
    with fair_shares(
        TenantShares(), batch, holder=context.aws_request_id, limit=limit, until=until
    ) as shared:
        refused = requeue(shared.requeued)
        response: dict = {"batchItemFailures": []}
        if shared.admitted:  # the batch processor refuses an event without records
            response = async_process_partial_response(
                event={**event, "Records": shared.admitted},
                record_handler=_post_one,
                processor=processor,
                context=context,
            )
    response["batchItemFailures"] += [{"itemIdentifier": record["messageId"]} for record in refused]
    return response
