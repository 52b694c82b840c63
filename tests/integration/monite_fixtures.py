"""Given-steps for the Monite-shaped family: invoices stored in any state, list calls with repeated
parameters, and validation against the copied Monite spec."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from financing import clock
from financing.adapters.aws import client
from financing.adapters.dynamo import to_item
from financing.adapters.invoices import invoice_item
from financing.auth.financing_tokens import Grant, Purpose, issue
from financing.config import settings
from financing.domain.invoices import Financing, Invoice, InvoiceType, TypeOfGoods
from financing.domain.lifecycle import Status
from financing.ids import new_id
from tests.integration.harness import Context, api_event, handler

SPEC = json.loads(
    (Path(__file__).resolve().parents[1] / "contracts" / "monite-financing-2024-05-25.json").read_text()
)
PATH = "/v1/financing_invoices"
FUNDED_STATES = {Status.FINANCED, Status.OVERDUE, Status.REPAID, Status.DEFAULTED}


def _validator(name: str) -> Draft202012Validator:
    schemas = json.loads(json.dumps(SPEC["components"]["schemas"]))
    # The spec's prose says both tokens are `null` at the ends; its schema forgot to say so.
    for token in ("next_pagination_token", "prev_pagination_token"):
        schemas["FinancingInvoiceListResponse"]["properties"][token]["type"] = ["string", "null"]
    resource = Resource(contents={"components": {"schemas": schemas}}, specification=DRAFT202012)
    registry = Registry().with_resource("spec", resource)
    return Draft202012Validator({"$ref": f"spec#/components/schemas/{name}"}, registry=registry)


def assert_conforms(body: Any, schema: str) -> None:
    errors = list(_validator(schema).iter_errors(body))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def stored_invoice(
    tenant: str,
    *,
    status: Status = Status.DRAFT,
    due: date | None = None,
    issue: date | None = None,
    amount: int = 10_000,
    kind: InvoiceType = InvoiceType.RECEIVABLE,
    document: str = "doc_01JD0000000000000000000000",
    created: datetime | None = None,
    buyer: str = "company_01JD00000000000000000000BB",
) -> Invoice:
    """An invoice as the store keeps it, in any status (funded ones priced at 90% / 2%)."""
    moment = created or datetime.now(UTC).replace(microsecond=0)
    issue = issue or date(2024, 1, 10)
    financing = None
    if status in FUNDED_STATES:
        advance = amount * 9 // 10
        financing = Financing(
            advance_rate=9000,
            fee_rate=200,
            first_payment=advance,
            discount=advance * 2 // 100,
            funded_at=moment,
            disbursement_date=issue,
        )
    return Invoice(
        id=new_id("inv", at=moment),
        tenant_id=tenant,
        supplier="company_01JD00000000000000000000AA",
        buyer=buyer,
        invoice_number="INV-1",
        client_reference_id=new_id("ref"),
        invoice_document=document,
        amount=amount,
        currency="usd",
        type_of_goods=[TypeOfGoods.OTHER],
        issue_date=issue,
        due_date=due or issue + timedelta(days=60),
        type=kind,
        status=status,
        financing=financing,
        created=moment,
        updated=moment,
    )


def store(invoices: list[Invoice]) -> None:
    """Write invoices straight to the table, 25 per BatchWriteItem."""
    ddb = client("dynamodb")
    items = [{"PutRequest": {"Item": to_item(invoice_item(i))}} for i in invoices]
    for start in range(0, len(items), 25):
        request = {settings().table_name: items[start : start + 25]}
        while request:
            request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def list_invoices(
    query: dict[str, str | list[str]] | None = None,
    *,
    tenant: str = "acme",
    headers: dict[str, str] | None = None,
    scope: str = "invoices:read",
):
    """GET /v1/financing_invoices; a list value is a repeated parameter."""
    from tests.integration.harness import Reply

    event = api_event("GET", PATH, tenant=tenant, headers=headers, scope=scope)
    if query:
        event["multiValueQueryStringParameters"] = {
            k: v if isinstance(v, list) else [v] for k, v in query.items()
        }
        event["queryStringParameters"] = {k: v[-1] if isinstance(v, list) else v for k, v in query.items()}
    return Reply(handler("list_financing_invoices")(event, Context()))


def walk(query: dict, tenant: str) -> tuple[list[str], list[str]]:
    """Every page forward from the first, then backward from the last; the invoice ids each way, in the
    order of the list (the backward walk's pages are put back in list order)."""
    reply = list_invoices(query, tenant=tenant)
    assert reply.status == 200, reply.json
    assert reply.json["prev_pagination_token"] is None
    pages = [reply.json]
    while pages[-1]["next_pagination_token"]:
        reply = list_invoices({"pagination_token": pages[-1]["next_pagination_token"]}, tenant=tenant)
        assert reply.status == 200, reply.json
        pages.append(reply.json)
    for page in pages:
        assert_conforms(page, "FinancingInvoiceListResponse")
    forward = [i["invoice_id"] for page in pages for i in page["data"]]
    backward_pages = [pages[-1]]
    while backward_pages[-1]["prev_pagination_token"]:
        token = backward_pages[-1]["prev_pagination_token"]
        reply = list_invoices({"pagination_token": token}, tenant=tenant)
        assert reply.status == 200, reply.json
        backward_pages.append(reply.json)
        assert len(backward_pages) < 1000
    backward = [i["invoice_id"] for page in reversed(backward_pages) for i in page["data"]]
    return forward, backward


def connect_authorization(tenant: str) -> dict[str, str]:
    """The tenant's own connect token (what POST /v1/financing_tokens answers it), as the hosted page sends it."""
    grant = Grant.starting(clock.now(), tenant_id=tenant, entity_id=tenant, subject="test")
    return {"Authorization": f"Bearer {issue(Purpose.CONNECT, grant, now=clock.now())}"}
