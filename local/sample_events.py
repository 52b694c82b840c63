"""`make events`: the sample event of every function of template.yaml, written to events/<code folder>.json.

An API route's event carries the template's method, resource path and path parameters, the scope its
handler needs (and nothing more) in the authorizer's context, and a request that handler accepts on a
stack seeded with the sample objects below (tests/integration/test_sample_events.py seeds them and
substitutes their real ids). A consumer's event is its source's shape (SQS, DynamoDB stream, schedule,
token authorizer) around a sample message. `--check` fails when a file differs from what would be written."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import uuid
from typing import Any

from local.routes import Function, functions, required_scope
from local.settings import ROOT
from local.template import ACCOUNT_ID, load_template

EVENTS = ROOT / "events"
REGION = "us-east-1"
# The default local stack's name, not $STACK_NAME: the files are the same wherever they are written.
STACK_NAME = "invoice-financing-local"
TENANT = "acme"
SUBJECT = "local-developer"
# The day the samples are written for: their dates are valid on it (the sample-event test runs on it).
SAMPLE_DAY = "2026-12-01"
CREATED = 1764547200  # SAMPLE_DAY at midnight UTC, as a timestamp
REQUEST_ID = "c0ffee00-0000-4000-8000-000000000001"
INTERACTION_ID = "d78fc4e5-37ca-4da3-adf2-9b082bf92280"
MONITE_VERSION = "2024-05-25"

# ---------------------------------------------------------------------------------------- sample objects
# The objects the samples name. Each is seeded by the sample-event test in the state its name says.
SUPPLIER = "company_01JD0000000000000000000001"  # a Brazilian supplier, the consent's customer
BUYER = "company_01JD0000000000000000000002"
SUPPLIER_SIGNATORY = "contact_01JD0000000000000000000003"
BUYER_SIGNATORY = "contact_01JD0000000000000000000004"
DOCUMENT = "doc_01JD0000000000000000000005"  # an uploaded invoice document
PENDING_LIMIT = "bl_01JD0000000000000000000006"  # the buyer's pending limit request
DRAFT_INVOICE = "inv_01JD0000000000000000000007"
SUBMITTED_INVOICE = "inv_01JD0000000000000000000008"  # status new
SIGNING_INVOICE = "inv_01JD0000000000000000000009"  # status requesting_signatures
APPROVED_INVOICE = "inv_01JD000000000000000000000A"
FINANCED_INVOICE = "inv_01JD000000000000000000000B"
SUBSCRIPTION = "whsub_01JD000000000000000000000C"
CONSENT = "consent_01JD000000000000000000000D"  # authorised for SUPPLIER's contracts
CREDIT_RIGHT = "5eae1070-28cc-4e99-ad45-c380731d5c0a"  # a receivable's internal number (the caller's)
NEW_CREDIT_RIGHT = "8d0c4a6e-1f2b-4c3d-9e8f-7a6b5c4d3e2f"  # a receivable not yet registered
DEAD_LETTERED_CREDIT_RIGHT = "3b9f2c1d-7e4a-4f6b-8c2d-1a0e9f8b7c6d"  # still PENDING after its last attempt
# A connect token of the tenant (POST /v1/financing_tokens); the sample-event test mints it.
CONNECT_TOKEN = "sample-connect-token"  # noqa: S105 - a placeholder, not a credential
SAMPLE_OBJECTS = (
    SUPPLIER,
    BUYER,
    SUPPLIER_SIGNATORY,
    BUYER_SIGNATORY,
    DOCUMENT,
    PENDING_LIMIT,
    DRAFT_INVOICE,
    SUBMITTED_INVOICE,
    SIGNING_INVOICE,
    APPROVED_INVOICE,
    FINANCED_INVOICE,
    SUBSCRIPTION,
    CONSENT,
    CREDIT_RIGHT,
    DEAD_LETTERED_CREDIT_RIGHT,
    CONNECT_TOKEN,
)


def as_uuid(sample_id: str) -> str:
    """A prefixed id's UUID form (Open Finance's contractId, Monite's invoice id)."""
    from financing.ids import as_uuid as uuid_of  # the layer, put on the path by local.routes

    return str(uuid_of(sample_id))


# Each path parameter's sample, unless the route's request names another.
PATH_SAMPLES = {
    "company_id": SUPPLIER,
    "document_id": DOCUMENT,
    "buyer_limit_id": PENDING_LIMIT,
    "invoice_id": DRAFT_INVOICE,
    "subscription_id": SUBSCRIPTION,
    "consent_id": CONSENT,
    "internal_number": CREDIT_RIGHT,
}


@dataclasses.dataclass(frozen=True)
class Request:
    """What a route's sample sends beyond the template's method, path and the handler's scope."""

    body: Any = None
    query: dict[str, str] | None = None
    path: dict[str, str] = dataclasses.field(default_factory=dict)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


COMPANY = {
    "name": "Fornecedora Ltda",
    "address": {"street": "Av. Paulista 1000", "city": "São Paulo", "state": "SP", "country_code": "BR"},
    "website": "https://fornecedora.example",
    "tax_id": "11.222.333/0001-81",
    "contacts": [
        {
            "first_name": "Ana",
            "last_name": "Silva",
            "email": "ana@fornecedora.example",
            "is_signatory": True,
            "is_request_recipient": True,
        }
    ],
}
INVOICE = {
    "supplier": SUPPLIER,
    "buyer": BUYER,
    "invoice_number": "INV-18293",
    "client_reference_id": "550e8400-e29b-41d4-a716-446655440000",
    "invoice_document": DOCUMENT,
    "amount": 88000,
    "currency": "brl",
    "type_of_goods": ["perishables", "other"],
    "issue_date": "2026-11-01",
    "due_date": "2027-01-30",
    "description": "Frozen fish",
}
CREDIT_RIGHT_REQUEST = {
    "credit_rights_receivable_type": 1,
    "debtor_name": "Bonnie Ann Clyde",
    "debtor_document_number": "52998224725",
    "face_value": 499.23,
    "holding_number": "1234.8",
    "ibge_code": 3304557,
    "internal_number": CREDIT_RIGHT,
    "invoice_number": 88,
    "invoice_serie": 1,
    "invoice_total_value": 5678.99,
    "issuing_date": "2026-11-01",
    "lender_name": "Al Dente",
    "lender_document_number": "51407165000113",
    "maturity_date": "2099-12-31",
    "payment_method": 2,
    "payment_status": 2,
    "recorder_account": 12345678,
    "access_key": "KAB6J8903CNMH01892749JKSNOAXMCA7199382ABCERL",
    "collateral_type": 1,
    "credit_operations": [
        {
            "contact_number": "+14158675309",
            "guarantee_percentage": 5,
            "operation_date": "2026-11-02",
            "operation_maturity": "2099-12-31",
            "operation_type": "discount",
            "operation_value": 234.5,
        }
    ],
    "description": "Receivable description...",
    "guarantor_name": "Lansky Loan",
    "lender_signing_date": "2026-11-02",
    "owner_document_number": "51008931000177",
    "owner_name": "Biff Wellington",
}

# Keyed by "METHOD path" as the template writes the route.
REQUESTS: dict[str, Request] = {
    "POST /v1/companies": Request(COMPANY),
    "GET /v1/companies": Request(query={"limit": "20"}),
    "PATCH /v1/companies/{company_id}": Request({"website": "https://fornecedora.example/br"}),
    "POST /v1/documents": Request(
        {"name": "nota-fiscal-1234.pdf", "purpose": "invoice", "file_format": "pdf"}
    ),
    "POST /v1/buyer_limits": Request({"company": BUYER, "requested_limit": 250000, "currency": "brl"}),
    "GET /v1/buyer_limits": Request(query={"limit": "20", "company": BUYER}),
    "POST /v1/buyer_limits/{buyer_limit_id}/approve": Request({"total_limit": 200000}),
    "POST /v1/buyer_limits/{buyer_limit_id}/deny": Request(
        {"reason": "Insufficient payment history with this buyer."}
    ),
    "PUT /v1/settings": Request(
        {
            "default_after_days": 90,
            "grace_days": 5,
            "late_fee_rate_percentage": 2400,
            "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
        }
    ),
    "POST /v1/invoices": Request(INVOICE),
    "GET /v1/invoices": Request(query={"status": "financed", "limit": "20"}),
    "PATCH /v1/invoices/{invoice_id}": Request({"amount": 90000.5}),
    "POST /v1/financing_sessions": Request(
        {
            "supplier": SUPPLIER,
            "buyer": BUYER,
            "invoices": [DRAFT_INVOICE],
            "supporting_documents": [{"document": DOCUMENT, "invoice": DRAFT_INVOICE}],
            "submitted_by": "ana@fornecedora.example",
        }
    ),
    "POST /v1/invoices/{invoice_id}/submit": Request({}),
    "POST /v1/invoices/{invoice_id}/request_info": Request(
        {"reason": "Please upload the packing list."}, path={"invoice_id": SUBMITTED_INVOICE}
    ),
    "POST /v1/invoices/{invoice_id}/decline": Request(
        {"reason": "Buyer concentration too high."}, path={"invoice_id": SUBMITTED_INVOICE}
    ),
    "POST /v1/invoices/{invoice_id}/request_signatures": Request({}, path={"invoice_id": SUBMITTED_INVOICE}),
    "POST /v1/invoices/{invoice_id}/sign": Request(
        {"party": "buyer", "contact": BUYER_SIGNATORY}, path={"invoice_id": SIGNING_INVOICE}
    ),
    "POST /v1/invoices/{invoice_id}/fund": Request(
        {"advance_rate_percentage": 9000, "fee_percentage": 250, "disbursement_date": SAMPLE_DAY},
        path={"invoice_id": APPROVED_INVOICE},
    ),
    "GET /v1/credit-rights": Request(query={"limit": "20"}),
    "GET /v1/invoices/{invoice_id}/funding_preview": Request(
        query={"advance_rate_percentage": "9000", "fee_percentage": "250", "disbursement_date": SAMPLE_DAY},
        path={"invoice_id": APPROVED_INVOICE},
    ),
    "POST /v1/invoices/{invoice_id}/payments": Request(
        {"amount": 50000, "paid_date": SAMPLE_DAY, "reference": "wire-0001"},
        path={"invoice_id": FINANCED_INVOICE},
    ),
    "GET /v1/ledger/entries": Request(
        query={"account": "advances_receivable", "posted_from": "2026-01-01", "limit": "20"}
    ),
    "GET /v1/ledger/entries.csv": Request(query={"posted_from": "2026-01-01", "limit": "100"}),
    "GET /v1/ledger/balances": Request(query={"as_of": SAMPLE_DAY}),
    "GET /v1/reports/aging": Request(query={"as_of": SAMPLE_DAY}),
    "GET /v1/reports/volume": Request(query={"from": "2026-01", "to": SAMPLE_DAY[:7]}),
    "POST /v1/webhook_subscriptions": Request(
        {
            "url": "https://receiver.example/webhooks",
            "event_types": ["invoice.financed", "invoice.repaid"],
            "description": "Treasury system",
        }
    ),
    "GET /v1/webhook_subscriptions": Request(query={"limit": "20"}),
    "PATCH /v1/webhook_subscriptions/{subscription_id}": Request({"enabled": False}),
    "POST /v1/webhook_subscriptions/{subscription_id}/regenerate_secret": Request({}),
    "GET /v1/webhook_deliveries": Request(
        query={"subscription": SUBSCRIPTION, "status": "failed", "limit": "20"}
    ),
    "POST /v1/open_finance/consents": Request(
        {
            "customer_document": "11.222.333/0001-81",
            "permissions": ["INVOICE_FINANCINGS_READ", "INVOICE_FINANCINGS_PAYMENTS_READ"],
            "expiration_date_time": "2099-01-01T00:00:00Z",
        }
    ),
    "POST /v1/credit-rights": Request({**CREDIT_RIGHT_REQUEST, "internal_number": NEW_CREDIT_RIGHT}),
    "POST /v1/credit-rights/{internal_number}/retry_registration": Request(
        path={"internal_number": DEAD_LETTERED_CREDIT_RIGHT}
    ),
    "GET /v1/financing_invoices": Request(query={"status__in": "NEW,FUNDED", "limit": "20"}),
    "POST /v1/financing_invoices": Request(
        {"invoices": [{"id": "<monite id of the draft invoice>", "type": "receivable"}]}
    ),
    "POST /v1/financing_connect/quote": Request(
        {"invoices": [{"id": "<monite id of the draft invoice>", "type": "receivable"}]}
    ),
    "POST /v1/financing_connect/confirm": Request(
        {"invoices": [{"id": "<monite id of the draft invoice>", "type": "receivable"}]}
    ),
    "PUT /v1/financing_offers": Request(
        {
            "total_amount": 10000000,
            "currency": "BRL",
            "pricing_plans": [
                {
                    "advance_rate_percentage": 9000,
                    "fee_percentage": 250,
                    "repayment_type": "FIXED_DURATION",
                    "repayment_duration_days": 60,
                }
            ],
        }
    ),
    "POST /v1/financing_tokens": Request({}),
    "GET /open-banking/invoice-financings/v2/contracts": Request(query={"page": "1", "page-size": "25"}),
}

# Headers each family's routes send (by path prefix).
FAMILY_HEADERS = {
    "/open-banking/": {"Accept": "application/json", "x-fapi-interaction-id": INTERACTION_ID},
    "/v1/financing_": {"x-monite-version": MONITE_VERSION},
}


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(hashlib.sha256("/".join(parts).encode()).hexdigest()[:32], version=4))


# ------------------------------------------------------------------------------------------- API events


def _resolved(text: str) -> str:
    """Sample values named by placeholders: the UUID forms of sample ids."""
    text = text.replace("<monite id of the draft invoice>", as_uuid(DRAFT_INVOICE))
    return text


def api_event(function: Function, method: str, path: str, guarded: bool) -> dict[str, Any]:
    key = f"{method} {path}"
    request = REQUESTS.get(key, Request())
    parameters = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    values = {name: request.path.get(name) or PATH_SAMPLES.get(name) for name in parameters}
    if "contractId" in values:
        values["contractId"] = as_uuid(FINANCED_INVOICE)
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise SystemExit(f"{key}: no sample for path parameters {missing}: add it to PATH_SAMPLES")
    concrete = path
    for name, value in values.items():
        concrete = concrete.replace(f"{{{name}}}", value)
    headers = {"Content-Type": "application/json"}
    headers["Authorization"] = (
        f"Bearer {CONNECT_TOKEN}" if not guarded else "Bearer <verified by the authorizer>"
    )
    for prefix, extra in FAMILY_HEADERS.items():
        if path.startswith(prefix):
            headers |= extra
    headers |= request.headers
    scope = required_scope(function.code_dir)
    authorizer = None
    if guarded:
        authorizer = {
            "principalId": f"{TENANT}|{SUBJECT}",
            "tenant_id": TENANT,
            "sub": SUBJECT,
            "scope": scope,
        }
        if path.startswith("/open-banking/"):
            authorizer["consent_id"] = CONSENT
    body = None if request.body is None else _resolved(json.dumps(request.body))
    return {
        "resource": path,
        "path": concrete,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": request.query,
        "multiValueQueryStringParameters": {k: [v] for k, v in request.query.items()}
        if request.query
        else None,
        "pathParameters": values or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/local{concrete}",
            "stage": "local",
            "requestId": REQUEST_ID,
            "accountId": ACCOUNT_ID,
            "apiId": "localapi",
            "identity": {"sourceIp": "127.0.0.1"},
            **({"authorizer": authorizer} if authorizer else {}),
        },
        "body": body,
        "isBase64Encoded": False,
    }


# -------------------------------------------------------------------------------------- consumer events


def _platform_event(detail_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    """A platform event as EventBridge delivers it (the envelope around the outbox's detail): the event
    model's published example (so it passes the bus's schema check), naming the sample's objects."""
    from local.routes import LAYER

    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    from financing.exact_json import dumps
    from local.event_docs import example

    created = f"{SAMPLE_DAY}T00:00:00Z"
    detail = json.loads(dumps(example(detail_type)["detail"]))  # amounts as JSON numbers, digit for digit
    detail.update(
        id="evt_01JD0000000000000000000001", tenant_id=TENANT, correlation_id=REQUEST_ID, created=created
    )
    detail["object"] = {**detail["object"], **obj}
    return {
        "version": "0",
        "id": _uuid("event", detail_type),
        "detail-type": detail_type,
        "source": "invoice-financing",
        "account": ACCOUNT_ID,
        "time": created,
        "region": REGION,
        "resources": [],
        "detail": detail,
    }


_FINANCED = {"id": FINANCED_INVOICE, "object": "invoice", "status": "financed"}
# What each queue's consumer receives, by the queue's logical id.
MESSAGES: dict[str, Any] = {
    "EventLogQueue": _platform_event(
        "company.created", {"id": SUPPLIER, "object": "company", "name": "Fornecedora Ltda"}
    ),
    "WebhookEventsQueue": _platform_event("invoice.financed", _FINANCED),
    "RegistrationQueue": _platform_event(
        "credit_rights.registration_requested", {"internal_number": CREDIT_RIGHT, "holding_number": "1234.8"}
    ),
    "WebhookDeliveryQueue": {
        "tenant_id": TENANT,
        "subscription_id": SUBSCRIPTION,
        "event_id": "evt_01JD0000000000000000000001",
        "event_type": "invoice.financed",
        "body": json.dumps(
            {
                "id": "evt_01JD0000000000000000000001",
                "object": "event",
                "type": "invoice.financed",
                "created": CREATED,
                "data": {"object": _FINANCED},
            },
            separators=(",", ":"),
        ),
        "queued_at": float(CREATED),
    },
}


def _logical_id(arn: Any) -> str:
    return arn["Fn::GetAtt"][0]


def sqs_event(function: Function, properties: dict[str, Any]) -> dict[str, Any]:
    queue = _logical_id(properties["Queue"])
    if queue not in MESSAGES:
        raise SystemExit(f"{function.logical_id} reads {queue}: add its sample message to MESSAGES")
    body = json.dumps(MESSAGES[queue])
    return {
        "Records": [
            {
                "messageId": _uuid("message", queue),
                "receiptHandle": "AQEB-sample",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": f"{CREATED}000",
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": f"{CREATED}000",
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 - SQS's checksum
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{STACK_NAME}-{queue}",
                "awsRegion": REGION,
            }
        ]
    }


def stream_event(function: Function, properties: dict[str, Any]) -> dict[str, Any]:
    """An outbox item inserted: what the table's stream hands the relay (the only stream consumer)."""
    table = _logical_id(properties["Stream"])
    event = MESSAGES["EventLogQueue"]["detail"]
    keys = {"pk": {"S": f"{TENANT}#OUTBOX"}, "sk": {"S": event["id"]}}
    image = {
        **keys,
        "kind": {"S": "outbox"},
        "detail_type": {"S": event["type"]},
        "detail": {"S": json.dumps(event, separators=(",", ":"))},
        "outbox_pending": {"S": "pending#0"},
        "outbox_at": {"S": event["created"]},
    }
    return {
        "Records": [
            {
                "eventID": "1",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": {
                    "ApproximateCreationDateTime": CREATED,
                    "Keys": keys,
                    "NewImage": image,
                    "SequenceNumber": "100000000000000000001",
                    "SizeBytes": 512,
                    "StreamViewType": properties.get("StreamViewType", "NEW_IMAGE"),
                },
                "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{STACK_NAME}-{table}"
                f"/stream/{SAMPLE_DAY}T00:00:00.000",
            }
        ]
    }


def schedule_event(function: Function, name: str) -> dict[str, Any]:
    rule = f"{function.logical_id}{name}"
    return {
        "version": "0",
        "id": _uuid("schedule", rule),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": f"{SAMPLE_DAY}T00:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule}"],
        "detail": {},
    }


def token_authorizer_event(template: dict[str, Any]) -> dict[str, Any]:
    """What API Gateway sends the TOKEN authorizer: a development token granting every scope, valid until 2100."""
    import jwt

    from local.settings import DEV_JWT_SECRET
    from local.token import ALL_SCOPES, AUDIENCE, ISSUER

    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": SUBJECT,
        "tenant_id": TENANT,
        "scope": " ".join(ALL_SCOPES),
        "iat": CREATED,
        "exp": 4102444800,
    }
    return {
        "type": "TOKEN",
        "authorizationToken": f"Bearer {jwt.encode(claims, DEV_JWT_SECRET, algorithm='HS256')}",
        "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:localapi/local/GET/v1/companies",
    }


def _token_authorizers(template: dict[str, Any]) -> set[str]:
    """Functions some API uses as its TOKEN authorizer."""
    found = set()
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Api":
            continue
        for authorizer in ((resource["Properties"].get("Auth") or {}).get("Authorizers") or {}).values():
            if authorizer.get("FunctionPayloadType", "TOKEN") == "TOKEN" and "FunctionArn" in authorizer:
                found.add(_logical_id(authorizer["FunctionArn"]))
    return found


def sample_event(function: Function, template: dict[str, Any]) -> dict[str, Any]:
    """The one sample event of `function`, from its first event source (or its role as an authorizer)."""
    if function.logical_id in _token_authorizers(template):
        return token_authorizer_event(template)
    for name, source in function.events.items():
        kind, properties = source["Type"], source.get("Properties") or {}
        if kind == "Api":
            return api_event(function, *function.routes[0])
        if kind == "SQS":
            return sqs_event(function, properties)
        if kind == "DynamoDB":
            return stream_event(function, properties)
        if kind == "Schedule":
            return schedule_event(function, name)
        raise SystemExit(f"{function.logical_id}: no sample for a {kind} event source")
    raise SystemExit(f"{function.logical_id} has no event source and authorizes no API")


def render_all(template: dict[str, Any] | None = None) -> dict[str, str]:
    """events/<file name> -> its text, for every function of the template."""
    template = template or load_template()
    return {
        f"{function.code_dir}.json": json.dumps(sample_event(function, template), indent=2) + "\n"
        for function in functions(template)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="fail when events/ differs from what would be written"
    )
    args = parser.parse_args()
    rendered = render_all()
    present = {path.name for path in EVENTS.glob("*.json")}
    stale = sorted(
        name
        for name, text in rendered.items()
        if not (EVENTS / name).exists() or (EVENTS / name).read_text() != text
    )
    orphans = sorted(present - set(rendered))
    if args.check:
        for name in stale + orphans:
            print(f"events/{name} is stale: run `make events`", file=sys.stderr)
        return 1 if stale or orphans else 0
    for name in stale:
        (EVENTS / name).write_text(rendered[name])
    for name in orphans:
        (EVENTS / name).unlink()
    print(f"events/: {len(stale)} written, {len(orphans)} removed, {len(rendered) - len(stale)} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
