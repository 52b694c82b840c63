"""`python -m local.redrive <DLQ logical id>` (make redrive): move a dead-letter queue's messages back to its source."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from local.discover import api_url, running_stack
from local.model import Stack
from local.provision import client_factory, provision
from local.template import TemplateError, load_template


def source_queue(stack: Stack, dead_letter: str) -> str:
    """Logical id of the queue whose RedrivePolicy names `dead_letter`."""
    if stack.resolver.resources.get(dead_letter, {}).get("Type") != "AWS::SQS::Queue":
        raise TemplateError(f"{dead_letter} is not a queue of the template")
    arn = stack.attributes[dead_letter]["Arn"]
    sources = []
    for logical_id, resource in stack.resolver.resources.items():
        if resource.get("Type") != "AWS::SQS::Queue" or logical_id not in stack.physical:
            continue
        policy = stack.resolver.resolve((resource.get("Properties") or {}).get("RedrivePolicy"))
        if isinstance(policy, str):
            policy = json.loads(policy)
        if policy and policy.get("deadLetterTargetArn") == arn:
            sources.append(logical_id)
    if len(sources) > 1:
        raise TemplateError(f"several queues ({', '.join(sources)}) use {dead_letter}; redrive is ambiguous")
    if not sources:
        hint = ""
        if any(s.on_failure_arn == arn for s in stack.stream_sources):
            hint = (
                " (it is a stream's OnFailure destination: it holds failure records, not the original events)"
            )
        raise TemplateError(f"no queue has {dead_letter} as its RedrivePolicy dead-letter target{hint}")
    return sources[0]


def move_messages(sqs: Any, from_url: str, to_url: str) -> int:
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=from_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return moved
        entries = []
        for index, message in enumerate(messages):
            entry = {"Id": str(index), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        sqs.send_message_batch(QueueUrl=to_url, Entries=entries)
        sqs.delete_message_batch(
            QueueUrl=from_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        moved += len(messages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("queue", help="logical id of the dead-letter queue")
    args = parser.parse_args(argv)
    health = running_stack()
    if health is None:
        print(f"no local stack answers on {api_url()}; start one with `make run`", file=sys.stderr)
        return 2
    clients = client_factory(health["aws_endpoint"])
    stack = provision(load_template(), clients)  # finds the running stack's resources; creates nothing new
    try:
        source = source_queue(stack, args.queue)
    except TemplateError as error:
        print(error, file=sys.stderr)
        return 1
    moved = move_messages(clients("sqs"), stack.physical[args.queue], stack.physical[source])
    print(f"moved {moved} message(s) from {args.queue} to {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
