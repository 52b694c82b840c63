"""A valid Pismo CreateReceivableRequest (the spec's example values, dates relative to today) and the
worker's delivery of what the bus routed to the registration queue."""

import json
import uuid
from datetime import timedelta

from financing import clock
from financing.adapters.aws import client
from financing.config import settings
from tests.integration.harness import Context, handler


def receivable(**overrides) -> dict:
    today = clock.today()
    body = {
        "credit_rights_receivable_type": 1,
        "debtor_name": "Bonnie Ann Clyde",
        "debtor_document_number": "52998224725",
        "face_value": 499.23,
        "holding_number": "1234.8",
        "ibge_code": 3304557,
        "internal_number": str(uuid.uuid4()),
        "invoice_number": 88,
        "invoice_serie": 1,
        "invoice_total_value": 5678.99,
        "issuing_date": (today - timedelta(days=10)).isoformat(),
        "lender_name": "Al Dente",
        "lender_document_number": "51407165000113",
        "maturity_date": (today + timedelta(days=30)).isoformat(),
        "payment_method": 2,
        "payment_status": 2,
        "recorder_account": 12345678,
        "access_key": "KAB6J8903CNMH01892749JKSNOAXMCA7199382ABCERL",
        "collateral_type": 1,
        "credit_operations": [
            {
                "contact_number": "+14158675309",
                "guarantee_percentage": 5,
                "operation_date": today.isoformat(),
                "operation_maturity": (today + timedelta(days=90)).isoformat(),
                "operation_type": "discount",
                "operation_value": 234.5,
            }
        ],
        "description": "Receivable description...",
        "guarantor_name": "Lansky Loan",
        "lender_signing_date": today.isoformat(),
        "owner_document_number": "51008931000177",
        "owner_name": "Biff Wellington",
    }
    return {**body, **overrides}


def outbox_events(detail_type: str) -> list[dict]:
    rows = client("dynamodb").scan(TableName=settings().table_name)["Items"]
    return [
        json.loads(r["detail"]["S"])
        for r in rows
        if r["kind"]["S"] == "outbox" and r["detail_type"]["S"] == detail_type
    ]


def deliver(detail_type: str, detail: dict, receive_count: int = 1) -> dict:
    """The worker's batch for one event the bus routed to the registration queue."""
    return deliver_batch([(detail_type, detail)], receive_count)


def deliver_batch(events: list[tuple[str, dict]], receive_count: int = 1) -> dict:
    """The worker's batch for events the bus routed to the registration queue, as SQS hands them over."""
    sqs = client("sqs")
    queue_url = sqs.get_queue_url(QueueName=settings_queue_name())["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    records = []
    for detail_type, detail in events:
        sent = sqs.send_message(
            QueueUrl=queue_url, MessageBody=json.dumps({"detail-type": detail_type, "detail": detail})
        )
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1)["Messages"][0]
        records.append(
            {
                "messageId": sent["MessageId"],
                "receiptHandle": received["ReceiptHandle"],
                "body": received["Body"],
                "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": "0"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            }
        )
    return handler("register_credit_rights")({"Records": records}, Context())


def settings_queue_name() -> str:
    urls = client("sqs").list_queues().get("QueueUrls", [])
    return next(u.rsplit("/", 1)[-1] for u in urls if u.endswith("-RegistrationQueue"))
