"""Webhook fan-out: each bus event becomes one delivery message per subscription that wants it.

One message per subscription keeps receivers apart: a slow or failing one is retried on its own schedule
and never holds up another subscription's or tenant's deliveries."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from financing import exact_json
from financing.adapters.queues import send_all
from financing.adapters.webhooks import SubscriptionStore
from financing.composition.webhooks import delivery_body
from financing.config import settings
from financing.observability import logger
from financing.services.webhooks import fan_out

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def spread(record: SQSRecord) -> None:
    event = exact_json.loads(record.body)
    requests = fan_out(SubscriptionStore(), event["detail-type"], event["detail"], event_body=delivery_body)
    send_all(settings().webhook_delivery_queue_url, [request.to_message() for request in requests])
    if requests:
        logger.info("webhooks queued", extra={"event_id": event["detail"]["id"], "deliveries": len(requests)})


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return process_partial_response(event=event, record_handler=spread, processor=processor, context=context)
