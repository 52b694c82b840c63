"""Event log consumer: stores each domain event from the bus in its tenant's log (SQS, partial batch failures)."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from financing import exact_json
from financing.adapters import event_log
from financing.observability import logger

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def store(record: SQSRecord) -> None:
    event = exact_json.loads(record.body)
    event_log.record(event["detail-type"], event["detail"])


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return process_partial_response(event=event, record_handler=store, processor=processor, context=context)
