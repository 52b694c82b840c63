"""Webhook deliverer: posts each queued delivery to its subscription's URL, signed, and records the attempt.

The messages of a batch are posted concurrently, each on its own thread of a pool as large as the batch,
and each attempt is cut at one deadline (webhook_transport.ATTEMPT_DEADLINE_SECONDS, 10 s): a slow receiver
delays no other message of its batch, and the batch ends within about one deadline. A failed delivery is reported as a batch item failure and hidden until its next attempt
(exponential backoff through SQS visibility); once out of time it is marked `failed` and moved to the
dead-letter queue, from which `make redrive` (or an SQS redrive) sends it back for another attempt."""

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from financing.adapters import queues, webhook_transport
from financing.adapters.aws import client
from financing.adapters.webhooks import DeliveryStore, SubscriptionStore
from financing.config import settings
from financing.domain.retries import RetrySchedule
from financing.domain.webhooks import Attempt
from financing.observability import logger
from financing.services.webhooks import DeliveryRequest, deliver

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
    outcome = deliver(SubscriptionStore(), DeliveryStore(), _post, _schedule(), request)
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


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    for service in ("dynamodb", "sqs"):
        client(service)  # created before the threads: creating a botocore client is not thread-safe
    return async_process_partial_response(
        event=event, record_handler=_post_one, processor=processor, context=context
    )
