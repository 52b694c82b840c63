"""SQS from the workers: send messages in batches, and hide a received message until its next attempt."""

from financing.adapters.aws import client

BATCH = 10


class SendFailed(Exception):
    pass


def queue_url_of(arn: str) -> str:
    """A queue's URL from its ARN (as an SQS event record names its queue), on the configured endpoint."""
    _, _, _, _, account, name = arn.split(":")
    return f"{client('sqs').meta.endpoint_url}/{account}/{name}"


def send_all(queue_url: str, bodies: list[str]) -> None:
    """Every body as one message; raises if SQS refused any (the caller's message is then retried)."""
    for start in range(0, len(bodies), BATCH):
        entries = [
            {"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies[start : start + BATCH])
        ]
        response = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries)
        if response.get("Failed"):
            raise SendFailed(f"{len(response['Failed'])} of {len(entries)} messages were refused")


def hide(queue_arn: str, receipt_handle: str, seconds: int) -> None:
    """Make a received message visible again only after `seconds` (SQS allows at most 12 hours)."""
    client("sqs").change_message_visibility(
        QueueUrl=queue_url_of(queue_arn), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
    )


def send_later(queue_url: str, messages: list[tuple[str, int]]) -> list[int]:
    """Each (body, delay in seconds) as a new message, visible only after its delay; the positions of those
    SQS refused (the caller keeps their originals)."""
    refused: list[int] = []
    for start in range(0, len(messages), BATCH):
        entries = [
            {"Id": str(start + n), "MessageBody": body, "DelaySeconds": delay}
            for n, (body, delay) in enumerate(messages[start : start + BATCH])
        ]
        response = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries)
        refused += [int(failure["Id"]) for failure in response.get("Failed", [])]
    return refused
