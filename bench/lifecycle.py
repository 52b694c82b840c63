"""AWS calls per request along one invoice's real life (each action from the state it needs)."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

Step = tuple[str, str, str, dict[str, Any]]


def _counting() -> tuple[list[str], Callable[[], None]]:
    """Count API calls actually sent by the handlers' clients (presigning sends nothing)."""
    from financing.adapters.aws import client, session

    sent: list[str] = []
    session().register("before-call", lambda model, **_: sent.append(model.name))
    client.cache_clear()  # new clients pick up the hook
    return sent, sent.clear


def walk(bucket: str) -> list[tuple[str, int, list[str]]]:
    from tests.integration.harness import call

    sent, reset = _counting()
    rows: list[tuple[str, int, list[str]]] = []

    def request(label: str, function: str, method: str, path: str, **kwargs: Any) -> dict:
        reset()
        scope = "invoices:read invoices:write lender:operate credit-rights:write credit-rights:read"
        reply = call(function, method, path, scope=scope, **kwargs)
        assert reply.status < 300, (label, reply.status, reply.json)
        rows.append((label, len(sent), sorted(set(sent))))
        return reply.json

    contact = [{"first_name": "Ana", "last_name": "Silva", "is_signatory": True}]
    supplier = request(
        "POST /v1/companies",
        "create_company",
        "POST",
        "/v1/companies",
        body={"name": "S", "address": {"country_code": "GB"}, "contacts": contact},
    )
    buyer = call(
        "create_company",
        "POST",
        "/v1/companies",
        body={"name": "B", "address": {"country_code": "GB"}, "contacts": contact},
    ).json
    limit = request(
        "POST /v1/buyer_limits",
        "create_buyer_limit",
        "POST",
        "/v1/buyer_limits",
        body={"company": buyer["id"], "requested_limit": 1_000_000, "currency": "usd"},
    )
    request(
        "POST /v1/buyer_limits/{id}/approve",
        "approve_buyer_limit",
        "POST",
        f"/v1/buyer_limits/{limit['id']}/approve",
        resource="/v1/buyer_limits/{buyer_limit_id}/approve",
        path_parameters={"buyer_limit_id": limit["id"]},
        body={"total_limit": 1_000_000},
    )
    document = request(
        "POST /v1/documents",
        "create_document",
        "POST",
        "/v1/documents",
        body={"name": "INV.pdf", "purpose": "invoice", "file_format": "pdf"},
    )
    import boto3

    boto3.client("s3").put_object(Bucket=bucket, Key=f"acme/{document['id']}", Body=b"%PDF-1.4")
    today = date.today()
    invoice = request(
        "POST /v1/invoices",
        "create_invoice",
        "POST",
        "/v1/invoices",
        body={
            "supplier": supplier["id"],
            "buyer": buyer["id"],
            "invoice_number": "B-1",
            "client_reference_id": "bench-1",
            "invoice_document": document["id"],
            "amount": 88000,
            "currency": "usd",
            "type_of_goods": ["other"],
            "issue_date": (today - timedelta(days=1)).isoformat(),
            "due_date": (today + timedelta(days=30)).isoformat(),
        },
    )
    item = "/v1/invoices/{invoice_id}"
    ids = {"invoice_id": invoice["id"]}
    path = f"/v1/invoices/{invoice['id']}"
    for label, function, action, body in [
        ("submit (document seen uploaded: +HEAD, +document write)", "submit_invoice", "submit", {}),
        ("request_signatures", "request_invoice_signatures", "request_signatures", {}),
        (
            "sign (supplier)",
            "sign_invoice",
            "sign",
            {"party": "supplier", "contact": supplier["contacts"][0]["id"]},
        ),
        (
            "sign (buyer: approves)",
            "sign_invoice",
            "sign",
            {"party": "buyer", "contact": buyer["contacts"][0]["id"]},
        ),
        ("fund", "fund_invoice", "fund", {}),
        (
            "payments (partial)",
            "record_invoice_payment",
            "payments",
            {"amount": 50000, "paid_date": today.isoformat(), "reference": "w1"},
        ),
        (
            "payments (repays)",
            "record_invoice_payment",
            "payments",
            {"amount": 38000, "paid_date": today.isoformat(), "reference": "w2"},
        ),
    ]:
        request(
            f"POST {item}/{action}: {label}",
            function,
            "POST",
            f"{path}/{action}",
            resource=f"{item}/{action}",
            path_parameters=ids,
            body=body,
        )
    request(f"GET {item}", "get_invoice", "GET", path, resource=item, path_parameters=ids)
    request(
        "GET /v1/invoices?status=repaid", "list_invoices", "GET", "/v1/invoices", query={"status": "repaid"}
    )
    request(
        f"GET {item}/history",
        "list_invoice_history",
        "GET",
        f"{path}/history",
        resource=f"{item}/history",
        path_parameters=ids,
    )
    from tests.integration.receivable_fixtures import deliver, outbox_events, receivable

    body = receivable(holding_number="4321.1")
    request("POST /v1/credit-rights", "create_credit_right", "POST", "/v1/credit-rights", body=body)
    [asked] = [  # the table also holds the sample events' receivables
        e
        for e in outbox_events("credit_rights.registration_requested")
        if e["object"]["internal_number"] == body["internal_number"]
    ]
    reset()
    deliver("credit_rights.registration_requested", asked)
    # Leave out the delivering helper's own SQS calls (the worker calls SQS only to back off a retry).
    helper_calls = {"SendMessage", "ReceiveMessage", "GetQueueAttributes", "GetQueueUrl", "ListQueues"}
    worker = [op for op in sent if op not in helper_calls]
    rows.append(
        ("registration worker, per message (registrar simulator included)", len(worker), sorted(set(worker)))
    )
    request(
        "GET /v1/buyer_limits/{id}",
        "get_buyer_limit",
        "GET",
        f"/v1/buyer_limits/{limit['id']}",
        resource="/v1/buyer_limits/{buyer_limit_id}",
        path_parameters={"buyer_limit_id": limit["id"]},
    )
    return rows


def render(rows: list[tuple[str, int, list[str]]]) -> str:
    lines = ["| request (one real invoice, draft to repaid) | AWS calls | operations |", "|---|---:|---|"]
    lines += [f"| {label} | {count} | {', '.join(ops)} |" for label, count, ops in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(walk("bucket")))
