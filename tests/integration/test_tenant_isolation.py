"""Tenant isolation, route by route: every API route that template.yaml declares (found by reading it, not
listed here by hand) is called by a second tenant on the first tenant's objects. Each answer is 404 (403 on a
tenant-less route), no answer carries one of the first tenant's ids, and nothing of the first tenant changes.
Open Finance routes are called as a data receiver would, under the second tenant's own valid consent for the
first tenant's customer: its contracts stay 404 and unlisted.

A route needs an entry in PROBES saying how to aim it at the first tenant's objects; a new route without one
fails `test_every_declared_route_has_an_isolation_probe` with its name."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from financing import clock
from financing.adapters.aws import client
from financing.auth.financing_tokens import Purpose, verify
from financing.config import settings
from financing.ids import as_uuid
from local.token import ALL_SCOPES
from tests.integration.harness import call
from tests.integration.invoice_fixtures import company, draft_body, uploaded_document
from tests.integration.monite_fixtures import connect_authorization
from tests.integration.open_finance_fixtures import (
    CUSTOMER_CNPJ,
    INSTITUTION_CNPJ,
    INTERACTION_ID,
    brazilian_company,
    consent,
    institution,
)
from tests.integration.receivable_fixtures import receivable
from tests.integration.routes import Route, declared_routes

OWNER, INTRUDER = "acme", "globex"
EVERY_SCOPE = " ".join(ALL_SCOPES)
OWNER_LINE_TOTAL = 7_654_321_00  # the owner's credit line: no other tenant's offers may show it


# ----------------------------------------------------------------------------------- the owner's world


@dataclass
class World:
    """The first tenant's objects, made through the handlers, one of each kind in a useful status."""

    ids: dict[str, str] = field(default_factory=dict)  # role -> id, e.g. "invoice:approved" -> inv_...
    supplier: dict[str, Any] = field(default_factory=dict)
    buyer: dict[str, Any] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    # The intruder's own valid consent, for the same customer as the owner's: Open Finance routes need one.
    intruder_consent: str = ""

    def __getitem__(self, role: str) -> str:
        return self.ids[role]

    def named(self, text: str) -> set[str]:
        """The owner's ids that `text` names, each in all its forms (an invoice's `inv_` id and its UUID)."""
        named = {value for value in self.ids.values() if value in text}
        twins = [(role, f"{role}:uuid") for role in self.ids if f"{role}:uuid" in self.ids]
        return named | {
            self[other] for pair in twins for role, other in (pair, pair[::-1]) if self[role] in named
        }


def _ok(reply) -> dict[str, Any]:
    assert reply.status in (200, 201, 202), (reply.status, reply.json)
    return reply.json


def _owner(function_dir: str, method: str, template_path: str, body: Any = None, **params: str):
    return call(
        function_dir,
        method,
        template_path.format(**params),
        resource=template_path,
        path_parameters=params or None,
        body=body,
        tenant=OWNER,
        scope=EVERY_SCOPE,
    )


def _open_finance(consent_id: str) -> dict[str, Any]:
    """How a data receiver calls the Open Finance API: its scope, a consent in the token, an interaction id."""
    return {
        "scope": "invoice-financings",
        "consent_id": consent_id,
        "headers": {"x-fapi-interaction-id": INTERACTION_ID},
    }


def _invoice_action(invoice_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    path = f"/v1/invoices/{{invoice_id}}/{action}"
    function_dir = next(r.function_dir for r in declared_routes() if (r.method, r.path) == ("POST", path))
    return _ok(_owner(function_dir, "POST", path, body, invoice_id=invoice_id))


def build_world() -> World:
    world = World()
    # The supplier is a Brazilian customer and its invoices are in reais, so the funded one is an Open
    # Finance contract.
    world.supplier = brazilian_company("Supplier", CUSTOMER_CNPJ, OWNER)
    world.buyer = company("Buyer", OWNER)
    world.document = uploaded_document(OWNER)
    world.ids |= {
        "company": world.supplier["id"],
        "buyer": world.buyer["id"],
        "document": world.document["id"],
    }

    def limit_for(company_id: str, amount: int) -> dict[str, Any]:
        body = {"company": company_id, "requested_limit": amount, "currency": "brl"}
        return _ok(_owner("create_buyer_limit", "POST", "/v1/buyer_limits", body))

    limit, pending = limit_for(world.buyer["id"], 1_000_000), limit_for(world.supplier["id"], 5_000)
    _ok(
        _owner(
            "approve_buyer_limit",
            "POST",
            "/v1/buyer_limits/{buyer_limit_id}/approve",
            {"total_limit": 1_000_000},
            buyer_limit_id=limit["id"],
        )
    )
    world.ids |= {"buyer_limit": limit["id"], "buyer_limit:pending": pending["id"]}

    def draft(reference: str) -> str:
        body = draft_body(
            world.supplier, world.buyer, world.document, client_reference_id=reference, currency="brl"
        )
        return _ok(_owner("create_invoice", "POST", "/v1/invoices", body))["id"]

    supplier_contact, buyer_contact = world.supplier["contacts"][0]["id"], world.buyer["contacts"][0]["id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("submit", {}),
        ("request_signatures", {}),
        ("sign", {"party": "supplier", "contact": supplier_contact}),
        ("sign", {"party": "buyer", "contact": buyer_contact}),
        ("fund", {}),
    ]
    # Each invoice is walked as far as the status named after it: the one a tenant-blind handler would accept.
    for status, depth in (
        ("draft", 0),
        ("new", 1),
        ("requesting_signatures", 3),
        ("approved", 4),
        ("financed", 5),
    ):
        invoice_id = draft(f"isolation-{status}")
        for action, body in steps[:depth]:
            _invoice_action(invoice_id, action, body)
        world.ids[f"invoice:{status}"] = invoice_id
        world.ids[f"invoice:{status}:uuid"] = str(as_uuid(invoice_id))  # as the Monite family names it
    world.ids["contract"] = world["invoice:financed:uuid"]  # as Open Finance names it

    world.ids["credit_right"] = receivable()["internal_number"]
    _ok(
        _owner(
            "create_credit_right",
            "POST",
            "/v1/credit-rights",
            receivable(internal_number=world["credit_right"]),
        )
    )

    world.settings = {
        "default_after_days": 77,
        "grace_days": 7,
        "late_fee_rate_percentage": 123,
        "pricing": {"advance_rate_percentage": 8100, "fee_percentage": 321},
        "brand_name": "Banco Acme",
        "institution_cnpj": INSTITUTION_CNPJ,
    }
    _ok(_owner("put_settings", "PUT", "/v1/settings", world.settings))
    world.ids["consent"] = consent(CUSTOMER_CNPJ, tenant=OWNER)
    _ok(_owner("put_financing_offers", "PUT", "/v1/financing_offers", _credit_line(OWNER_LINE_TOTAL)))

    subscription = _ok(_owner("create_webhook_subscription", "POST", "/v1/webhook_subscriptions", _HOOK))
    world.ids |= {"webhook_subscription": subscription["id"], "webhook_secret": subscription["secret"]}

    institution(INTRUDER)
    world.intruder_consent = consent(CUSTOMER_CNPJ, tenant=INTRUDER)
    return world


_HOOK = {"url": "https://receiver.example/hooks", "event_types": ["*"], "description": "owner"}


def _credit_line(total: int) -> dict[str, Any]:
    plan = {
        "advance_rate_percentage": 9000,
        "fee_percentage": 250,
        "repayment_type": "FIXED_DURATION",
        "repayment_duration_days": 60,
    }
    return {"total_amount": total, "currency": "BRL", "pricing_plans": [plan]}


# ------------------------------------------------------------------------------------------- the probes


@dataclass(frozen=True)
class Probe:
    """How the intruder aims one route at the owner's objects, and what it must get."""

    params: dict[str, str] = field(
        default_factory=dict
    )  # path parameter -> the owner's object (a World role)
    body: Callable[[World], Any] | None = None
    query: dict[str, str] = field(default_factory=dict)  # query parameter -> a World role
    expect: tuple[int, ...] = (404,)
    # What else must hold of the answer (lists and the tenant's own singletons: not the owner's content).
    check: Callable[[World, Any], bool] | None = None
    tenantless: bool = False  # such a route answers 403 to a tenant token that does not fit it
    open_finance: bool = False  # called as a data receiver, under the caller's own valid consent
    # Extra headers the caller (tenant) sends: a route the authorizer does not guard takes its credential here.
    headers: Callable[[str], dict[str, str]] | None = None


def _reason(world: World) -> dict[str, str]:
    return {"reason": "probe"}


def _empty(world: World) -> dict[str, str]:
    return {}


def _invoice_referencing_owner(world: World) -> dict[str, Any]:
    return draft_body(world.supplier, world.buyer, world.document, client_reference_id="intruder")


def _lists_nothing(world: World, body: Any) -> bool:
    return body.get("data") == []


def _not_the_owners_line(world: World, body: Any) -> bool:
    return all(offer["total_amount"] != OWNER_LINE_TOTAL for offer in body["offers"])


def _owners_draft(world: World) -> dict[str, Any]:
    return {"invoices": [{"id": world["invoice:draft:uuid"], "type": "receivable"}]}


def _connect_token_is_the_callers(world: World, body: Any) -> bool:
    return verify(body["connect_token"], Purpose.CONNECT).tenant_id == INTRUDER


def _consent_body(world: World) -> dict[str, Any]:
    expiry = (clock.now() + timedelta(days=30)).isoformat().replace("+00:00", "Z")
    return {
        "customer_document": CUSTOMER_CNPJ,
        "permissions": ["INVOICE_FINANCINGS_READ"],
        "expiration_date_time": expiry,
    }


INVOICE = {"invoice_id": "invoice:draft"}
CONTRACT = {"contractId": "contract"}
SUBSCRIPTION = {"subscription_id": "webhook_subscription"}
CONTRACTS = "GET /open-banking/invoice-financings/v2/contracts"
PROBES: dict[str, Probe] = {
    # companies
    "GET /v1/companies": Probe(expect=(200,), check=_lists_nothing),
    "POST /v1/companies": Probe(
        body=lambda w: {"name": "Intruder Ltd", "address": {"country_code": "GB"}}, expect=(201,)
    ),
    "GET /v1/companies/{company_id}": Probe({"company_id": "company"}),
    "PATCH /v1/companies/{company_id}": Probe(
        {"company_id": "company"}, body=lambda w: {"name": "Taken over"}
    ),
    # documents
    "POST /v1/documents": Probe(
        body=lambda w: {"name": "x.pdf", "purpose": "invoice", "file_format": "pdf"}, expect=(201,)
    ),
    "GET /v1/documents/{document_id}": Probe({"document_id": "document"}),
    # buyer limits: the owner's ids in the path, or the owner's company in the body
    "GET /v1/buyer_limits": Probe(expect=(200,), check=_lists_nothing),
    # A foreign reference in a body is answered as an unknown one is: 400 naming the field.
    "POST /v1/buyer_limits": Probe(
        body=lambda w: {"company": w["buyer"], "requested_limit": 100, "currency": "usd"}, expect=(400,)
    ),
    "GET /v1/buyer_limits/{buyer_limit_id}": Probe({"buyer_limit_id": "buyer_limit"}),
    "POST /v1/buyer_limits/{buyer_limit_id}/approve": Probe(
        {"buyer_limit_id": "buyer_limit:pending"}, body=lambda w: {"total_limit": 100}
    ),
    "POST /v1/buyer_limits/{buyer_limit_id}/deny": Probe(
        {"buyer_limit_id": "buyer_limit:pending"}, body=_reason
    ),
    # invoices: each action on the owner's invoice in the status where that action is allowed
    "GET /v1/invoices": Probe(expect=(200,), check=_lists_nothing),
    "POST /v1/invoices": Probe(body=_invoice_referencing_owner, expect=(400,)),
    "GET /v1/invoices/{invoice_id}": Probe({"invoice_id": "invoice:financed"}),
    "PATCH /v1/invoices/{invoice_id}": Probe(INVOICE, body=lambda w: {"description": "taken over"}),
    "DELETE /v1/invoices/{invoice_id}": Probe(INVOICE),
    "GET /v1/invoices/{invoice_id}/history": Probe({"invoice_id": "invoice:financed"}),
    "GET /v1/invoices/{invoice_id}/funding_preview": Probe({"invoice_id": "invoice:approved"}),
    "POST /v1/invoices/{invoice_id}/submit": Probe(INVOICE, body=_empty),
    "POST /v1/invoices/{invoice_id}/request_info": Probe({"invoice_id": "invoice:new"}, body=_reason),
    "POST /v1/invoices/{invoice_id}/decline": Probe({"invoice_id": "invoice:new"}, body=_reason),
    "POST /v1/invoices/{invoice_id}/request_signatures": Probe({"invoice_id": "invoice:new"}, body=_empty),
    "POST /v1/invoices/{invoice_id}/sign": Probe(
        {"invoice_id": "invoice:requesting_signatures"},
        body=lambda w: {"party": "buyer", "contact": w.buyer["contacts"][0]["id"]},
    ),
    "POST /v1/invoices/{invoice_id}/fund": Probe({"invoice_id": "invoice:approved"}, body=_empty),
    "POST /v1/invoices/{invoice_id}/payments": Probe(
        {"invoice_id": "invoice:financed"},
        body=lambda w: {"amount": 10, "paid_date": clock.today().isoformat(), "reference": "probe"},
    ),
    "POST /v1/financing_sessions": Probe(
        body=lambda w: {
            "supplier": w["company"],
            "buyer": w["buyer"],
            "invoices": [w["invoice:draft"]],
            "supporting_documents": [],
            "submitted_by": "intruder",
        }
    ),
    # settings: the intruder reads and writes only its own
    "GET /v1/settings": Probe(expect=(200,), check=lambda w, body: not w.settings.items() <= body.items()),
    "PUT /v1/settings": Probe(
        body=lambda w: {
            **w.settings,
            "grace_days": 1,
            "pricing": {"advance_rate_percentage": 5000, "fee_percentage": 0},
        },
        expect=(200,),
    ),
    # receivables registry (Pismo)
    "GET /v1/credit-rights": Probe(expect=(200,), check=_lists_nothing),
    "POST /v1/credit-rights": Probe(body=lambda w: receivable(), expect=(202,)),
    "GET /v1/credit-rights/{internal_number}": Probe({"internal_number": "credit_right"}),
    "DELETE /v1/credit-rights/{internal_number}": Probe({"internal_number": "credit_right"}),
    "POST /v1/credit-rights/{internal_number}/retry_registration": Probe(
        {"internal_number": "credit_right"}, body=_empty
    ),
    # financing (Monite-shaped): the list and the offers are the intruder's own; the owner's invoice cannot be
    # pushed (404 as an unknown one) and its credit line is neither shown nor changed
    "GET /v1/financing_invoices": Probe(expect=(200,), check=_lists_nothing),
    "POST /v1/financing_invoices": Probe(body=_owners_draft),
    "GET /v1/financing_offers": Probe(expect=(200,), check=_not_the_owners_line),
    "POST /v1/financing_tokens": Probe(expect=(201,), check=_connect_token_is_the_callers),
    "GET /v1/financing_connect": Probe(
        expect=(200,), check=_not_the_owners_line, headers=connect_authorization
    ),
    # the hosted page's quote and confirm, with the intruder's own connect token: the owner's draft is 404
    # as an unknown invoice, neither priced nor submitted
    "POST /v1/financing_connect/quote": Probe(body=_owners_draft, headers=connect_authorization),
    "POST /v1/financing_connect/confirm": Probe(body=_owners_draft, headers=connect_authorization),
    "PUT /v1/financing_offers": Probe(
        body=lambda w: _credit_line(1_000_00), expect=(200,), check=_not_the_owners_line
    ),
    # Open Finance consents (the institution's side)
    "POST /v1/open_finance/consents": Probe(body=_consent_body, expect=(201,)),
    "GET /v1/open_finance/consents/{consent_id}": Probe({"consent_id": "consent"}),
    "DELETE /v1/open_finance/consents/{consent_id}": Probe({"consent_id": "consent"}),
    # Open Finance contracts: the intruder's own consent for the same customer sees none of the owner's
    CONTRACTS: Probe(expect=(200,), check=_lists_nothing, open_finance=True),
    CONTRACTS + "/{contractId}": Probe(CONTRACT, open_finance=True),
    CONTRACTS + "/{contractId}/payments": Probe(CONTRACT, open_finance=True),
    CONTRACTS + "/{contractId}/scheduled-instalments": Probe(CONTRACT, open_finance=True),
    CONTRACTS + "/{contractId}/warranties": Probe(CONTRACT, open_finance=True),
    # the ledger and its reports: the intruder's own (empty) books, even aimed at the owner's invoice
    "GET /v1/ledger/entries": Probe(
        query={"invoice": "invoice:financed"}, expect=(200,), check=_lists_nothing
    ),
    "GET /v1/ledger/entries.csv": Probe(
        query={"invoice": "invoice:financed"}, expect=(200,), check=lambda w, text: text.count("\n") == 1
    ),
    "GET /v1/ledger/balances": Probe(
        query={"invoice": "invoice:financed"}, expect=(200,), check=_lists_nothing
    ),
    "GET /v1/reports/aging": Probe(expect=(200,), check=_lists_nothing),
    "GET /v1/reports/volume": Probe(expect=(200,), check=_lists_nothing),
    "GET /v1/reports/exposure": Probe(
        expect=(200,), check=lambda w, body: body["buyers"] == body["suppliers"] == []
    ),
    # webhooks
    "GET /v1/webhook_subscriptions": Probe(expect=(200,), check=_lists_nothing),
    "POST /v1/webhook_subscriptions": Probe(
        body=lambda w: {**_HOOK, "url": "https://intruder.example/hooks", "description": "intruder"},
        expect=(201,),
    ),
    "GET /v1/webhook_subscriptions/{subscription_id}": Probe(SUBSCRIPTION),
    "PATCH /v1/webhook_subscriptions/{subscription_id}": Probe(
        SUBSCRIPTION, body=lambda w: {"url": "https://intruder.example/stolen", "enabled": False}
    ),
    "DELETE /v1/webhook_subscriptions/{subscription_id}": Probe(SUBSCRIPTION),
    "POST /v1/webhook_subscriptions/{subscription_id}/regenerate_secret": Probe(SUBSCRIPTION, body=_empty),
    "GET /v1/webhook_deliveries": Probe(query={"subscription": "webhook_subscription"}),
}


def owner_items() -> list[dict[str, Any]]:
    """Everything stored under the owner's partitions (every tenant-owned key starts with the tenant id)."""
    table, items, start = settings().table_name, [], None
    while True:
        page = client("dynamodb").scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        items += [item for item in page["Items"] if item["pk"]["S"].startswith(f"{OWNER}#")]
        if not (start := page.get("LastEvaluatedKey")):
            return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


# -------------------------------------------------------------------------------------------- the tests

ROUTES = declared_routes()


def test_every_declared_route_has_an_isolation_probe():
    declared = {route.name for route in ROUTES}
    missing = sorted(declared - PROBES.keys())
    assert not missing, (
        "routes without a tenant-isolation probe (add them to PROBES in this file): " + ", ".join(missing)
    )
    stale = sorted(PROBES.keys() - declared)
    assert not stale, "probes for routes template.yaml no longer declares: " + ", ".join(stale)


@pytest.fixture
def world(aws) -> World:
    return build_world()


def _unknown(value: str) -> str:
    """An id of the same kind that nobody has: `inv_01M8...` -> `inv_01JD000...`; a free-form one -> a new one."""
    prefix, separator, _ = value.rpartition("_")
    return f"{prefix}_01JD{'0' * 22}" if separator else str(uuid.uuid4())


def _send(
    route: Route, probe: Probe, world: World, swap: dict[str, str] | None = None, tenant: str = INTRUDER
):
    """The intruder's request (or the same one from the owner, under the owner's consent); with `swap`, the
    same request with the owner's ids replaced by unknown ones."""

    def swapped(value: Any) -> Any:
        text = json.dumps(value)
        for owned, unknown in (swap or {}).items():
            text = text.replace(owned, unknown)
        return json.loads(text)

    params = swapped({name: world[role] for name, role in probe.params.items()})
    query = swapped({name: world[role] for name, role in probe.query.items()})
    credentials: dict[str, Any] = (
        _open_finance(world["consent"] if tenant == OWNER else world.intruder_consent)
        if probe.open_finance
        else {"scope": EVERY_SCOPE}
    )
    if probe.headers:
        credentials["headers"] = {**credentials.get("headers", {}), **probe.headers(tenant)}
    return call(
        route.function_dir,
        route.method,
        route.path.format(**params),
        resource=route.path,
        path_parameters=params or None,
        query=query or None,
        body=swapped(probe.body(world)) if probe.body else None,
        tenant=tenant,
        **credentials,
    )


def _error_code(reply) -> Any:
    body = reply.json or {}
    return (
        body.get("error", {}).get("code")
        if isinstance(body.get("error"), dict)
        else len(body.get("errors", []))
    )


def test_a_second_tenant_reaches_none_of_the_first_tenants_objects(world):
    before = owner_items()
    unknown = {value: _unknown(value) for value in world.ids.values()}
    failures = []
    for route in ROUTES:
        probe = PROBES.get(route.name)
        if probe is None:
            continue  # reported by the coverage test
        reply = _send(route, probe, world)
        expected = (403,) if probe.tenantless else probe.expect
        sent = json.dumps(
            [
                [world[role] for role in (*probe.params.values(), *probe.query.values())],
                probe.body and probe.body(world),
            ]
        )
        text = json.dumps(reply.json)
        if reply.status not in expected:
            failures.append(f"{route.name}: {reply.status} (expected {expected}) {text[:300]}")
        elif leaks := [
            value for value in world.ids.values() if value in text and value not in world.named(sent)
        ]:
            failures.append(f"{route.name}: the answer names the owner's {leaks}")
        elif probe.check and not probe.check(world, reply.json):
            failures.append(f"{route.name}: the answer shows the owner's content {text[:300]}")
        elif reply.status >= 400:
            # The owner's id must be indistinguishable from an id nobody has.
            control = _send(route, probe, world, unknown)
            if (control.status, _error_code(control)) != (reply.status, _error_code(reply)):
                failures.append(
                    f"{route.name}: the owner's ids get {reply.status} {text[:200]}, unknown ids get "
                    f"{control.status} {json.dumps(control.json)[:200]}"
                )
    assert not failures, "\n".join(failures)
    assert owner_items() == before, "a second tenant's requests changed the first tenant's data"


def test_the_owner_sees_what_the_intruder_does_not_so_the_checks_are_not_vacuous(world):
    for route in ROUTES:
        probe = PROBES.get(route.name)
        if route.method != "GET" or probe is None:
            continue
        reply = _send(route, probe, world, tenant=OWNER)
        assert reply.status == 200, (route.name, reply.status, reply.json)
        assert not probe.check or not probe.check(world, reply.json), (
            f"{route.name}: its check passes the owner too"
        )
