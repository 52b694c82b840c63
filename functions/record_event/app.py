"""Event log consumer: stores each domain event from the bus in its tenant's log (SQS, partial batch failures)."""

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from financing.adapters.event_log import record
from financing.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def store(message: SQSRecord) -> None:
    event = json.loads(message.body)
    record(event["detail-type"], event["detail"])


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return process_partial_response(event=event, record_handler=store, processor=processor, context=context)
