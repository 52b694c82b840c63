"""Registration worker: each queued request goes to the registrar; its answer is recorded with its event.

Transient registrar failures are reported as batch item failures and the message is hidden for an
exponentially growing time (SQS visibility: the n-th receive waits base * 2^(n-1) s, at most 15 minutes);
after the queue's max receives it lands in the DLQ.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from financing import exact_json
from financing.adapters.credit_rights import CreditRightStore
from financing.adapters.queues import hide
from financing.adapters.registrar import B3Simulator
from financing.composition.credit_rights import receivable_event
from financing.config import settings
from financing.domain.credit_rights import TransientRegistrarError
from financing.domain.retries import RetrySchedule
from financing.observability import logger
from financing.services.credit_rights import settle

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
MAX_BACKOFF_SECONDS = 900


def _schedule() -> RetrySchedule:
    base = settings().registration_retry_base_seconds
    return RetrySchedule(base, 2, max_delay_seconds=MAX_BACKOFF_SECONDS)


def _back_off(record: SQSRecord) -> None:
    receives = int(record.attributes.approximate_receive_count or 1)
    hide(record.event_source_arn, record.receipt_handle, _schedule().delay_after(receives))


def register(record: SQSRecord) -> None:
    event = exact_json.loads(record.body)
    detail = event["detail"]
    try:
        outcome = settle(
            CreditRightStore(),
            B3Simulator(),
            detail["tenant_id"],
            detail["object"]["internal_number"],
            event["detail-type"],
            detail["correlation_id"],
            announce=receivable_event,
        )
    except TransientRegistrarError:
        _back_off(record)
        raise
    logger.info(
        "registrar answered",
        extra={"internal_number": detail["object"]["internal_number"], "outcome": outcome},
    )


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return process_partial_response(
        event=event, record_handler=register, processor=processor, context=context
    )
