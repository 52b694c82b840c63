"""AWS calls per request along one invoice's real life (each action from the state it needs)."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

Step = tuple[str, str, str, dict[str, Any]]
SCOPE = "invoices:read invoices:write lender:operate credit-rights:write credit-rights:read"


def _counting() -> tuple[list[str], Callable[[], None]]:
    """Count API calls actually sent by the handlers' clients (presigning sends nothing)."""
    from financing.adapters.aws import client, session

    sent: list[str] = []
    session().register("before-call", lambda model, **_: sent.append(model.name))
    client.cache_clear()  # new clients pick up the hook
    return sent, sent.clear


def _tally(operations: list[str]) -> list[str]:
    """Each operation once, with its count when it was sent more than once: `GetItem (2)`."""
    return [
        f"{op} ({operations.count(op)})" if operations.count(op) > 1 else op for op in sorted(set(operations))
    ]


def walk(bucket: str) -> list[tuple[str, int, list[str]]]:
    from tests.integration.harness import call

    sent, reset = _counting()
    rows: list[tuple[str, int, list[str]]] = []

    def request(label: str, function: str, method: str, path: str, **kwargs: Any) -> dict:
        reset()
        reply = call(function, method, path, scope=SCOPE, **kwargs)
        assert reply.status < 300, (label, reply.status, reply.json)
        rows.append((label, len(sent), _tally(sent)))
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
    item = "/v1/invoices/{invoice_id}"

    def funded(number: int, label: str = "") -> tuple[dict, dict[str, str], str]:
        """An invoice from draft to funded; rows recorded only when `label` is empty (the first walk)."""
        ask = (
            request if not label else lambda _label, *args, **kwargs: call(*args, scope=SCOPE, **kwargs).json
        )
        invoice = ask(
            "POST /v1/invoices",
            "create_invoice",
            "POST",
            "/v1/invoices",
            body={
                "supplier": supplier["id"],
                "buyer": buyer["id"],
                "invoice_number": f"B-{number}",
                "client_reference_id": f"bench-{number}",
                "invoice_document": document["id"],
                "amount": 88000,
                "currency": "usd",
                "type_of_goods": ["other"],
                "issue_date": (today - timedelta(days=1)).isoformat(),
                "due_date": (today + timedelta(days=30)).isoformat(),
            },
        )
        ids = {"invoice_id": invoice["id"]}
        path = f"/v1/invoices/{invoice['id']}"
        for step_label, function, action, body in [
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
        ]:
            ask(
                f"POST {item}/{action}: {step_label}",
                function,
                "POST",
                f"{path}/{action}",
                resource=f"{item}/{action}",
                path_parameters=ids,
                body=body,
            )
        request(
            f"POST {item}/fund: fund{label}",
            "fund_invoice",
            "POST",
            f"{path}/fund",
            resource=f"{item}/fund",
            path_parameters=ids,
            body={},
        )
        return invoice, ids, path

    invoice, ids, path = funded(1)
    for label, amount, reference in [("partial", 50000, "w1"), ("repays", 38000, "w2")]:
        request(
            f"POST {item}/payments: payments ({label})",
            "record_invoice_payment",
            "POST",
            f"{path}/payments",
            resource=f"{item}/payments",
            path_parameters=ids,
            body={"amount": amount, "paid_date": today.isoformat(), "reference": reference},
        )
    terms = call("get_settings", "GET", "/v1/settings", scope=SCOPE).json
    request(
        "PUT /v1/settings (concentration limit on)",
        "put_settings",
        "PUT",
        "/v1/settings",
        body={
            **{k: v for k, v in terms.items() if k not in ("object", "updated", "version")},
            "concentration_limit_percentage": 10000,  # one buyer: any lower cap refuses
            "concentration_limit_applies_above": 0,
        },
    )
    _, second_ids, second_path = funded(2, " (concentration limit on)")
    request(
        f"POST {item}/payments: payments (partial, concentration limit on)",
        "record_invoice_payment",
        "POST",
        f"{second_path}/payments",
        resource=f"{item}/payments",
        path_parameters=second_ids,
        body={"amount": 10000, "paid_date": today.isoformat(), "reference": "w3"},
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
    for label, function, route, query in [
        (
            "GET /v1/ledger/entries?invoice=",
            "list_ledger_entries",
            "/v1/ledger/entries",
            {"invoice": invoice["id"]},
        ),
        ("GET /v1/ledger/entries (this month)", "list_ledger_entries", "/v1/ledger/entries", {}),
        ("GET /v1/ledger/balances", "get_ledger_balances", "/v1/ledger/balances", {}),
        ("GET /v1/reports/aging", "get_aging_report", "/v1/reports/aging", {}),
        ("GET /v1/reports/exposure", "get_exposure_report", "/v1/reports/exposure", {}),
        ("GET /v1/reports/volume", "get_volume_report", "/v1/reports/volume", {}),
    ]:
        request(label, function, "GET", route, query=query)
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
        ("registration worker, per message (registrar simulator included)", len(worker), _tally(worker))
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
