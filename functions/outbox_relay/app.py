"""Outbox relay: each committed outbox entry on the table stream goes to the event bus, then is settled."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from financing.adapters.dynamo import from_item
from financing.adapters.outbox import publish, settle
from financing.observability import logger

# A batch that fails whole is reported item by item, like any partial failure.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def relay(record: DynamoDBRecord) -> None:
    outbox = from_item(record.raw_event["dynamodb"]["NewImage"])
    publish([outbox])
    settle(outbox)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return process_partial_response(event=event, record_handler=relay, processor=processor, context=context)
