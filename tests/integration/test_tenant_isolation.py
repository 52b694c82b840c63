"""Tenant isolation, route by route: every API route that template.yaml declares (found by reading it, not
listed here by hand) is called by a second tenant on the first tenant's objects. Each answer is 404 (403 on a
tenant-less route), no answer carries one of the first tenant's ids, and nothing of the first tenant changes.

A route needs an entry in PROBES saying how to aim it at the first tenant's objects; a new route without one
fails `test_every_declared_route_has_an_isolation_probe` with its name."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from financing import clock
from financing.adapters.aws import client
from financing.config import settings
from local.token import ALL_SCOPES
from tests.integration.harness import call
from tests.integration.invoice_fixtures import company, draft_body, uploaded_document
from tests.integration.receivable_fixtures import receivable
from tests.integration.routes import Route, declared_routes

OWNER, INTRUDER = "acme", "globex"
EVERY_SCOPE = " ".join(ALL_SCOPES)


# ----------------------------------------------------------------------------------- the owner's world


@dataclass
class World:
    """The first tenant's objects, made through the handlers, one of each kind in a useful status."""

    ids: dict[str, str] = field(default_factory=dict)  # role -> id, e.g. "invoice:approved" -> inv_...
    supplier: dict[str, Any] = field(default_factory=dict)
    buyer: dict[str, Any] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, role: str) -> str:
        return self.ids[role]


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


def _invoice_action(invoice_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    path = f"/v1/invoices/{{invoice_id}}/{action}"
    function_dir = next(r.function_dir for r in declared_routes() if (r.method, r.path) == ("POST", path))
    return _ok(_owner(function_dir, "POST", path, body, invoice_id=invoice_id))


def build_world() -> World:
    world = World()
    world.supplier, world.buyer = company("Supplier", OWNER), company("Buyer", OWNER)
    world.document = uploaded_document(OWNER)
    world.ids |= {
        "company": world.supplier["id"],
        "buyer": world.buyer["id"],
        "document": world.document["id"],
    }

    def limit_for(company_id: str, amount: int) -> dict[str, Any]:
        body = {"company": company_id, "requested_limit": amount, "currency": "usd"}
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
        body = draft_body(world.supplier, world.buyer, world.document, client_reference_id=reference)
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
    }
    _ok(_owner("put_settings", "PUT", "/v1/settings", world.settings))
    return world


# ------------------------------------------------------------------------------------------- the probes


@dataclass(frozen=True)
class Probe:
    """How the intruder aims one route at the owner's objects, and what it must get."""

    params: dict[str, str] = field(
        default_factory=dict
    )  # path parameter -> the owner's object (a World role)
    body: Callable[[World], Any] | None = None
    expect: tuple[int, ...] = (404,)
    # What else must hold of the answer (lists and the tenant's own singletons: not the owner's content).
    check: Callable[[World, Any], bool] | None = None
    tenantless: bool = False  # such a route answers 403 to a tenant token that does not fit it


def _reason(world: World) -> dict[str, str]:
    return {"reason": "probe"}


def _empty(world: World) -> dict[str, str]:
    return {}


def _invoice_referencing_owner(world: World) -> dict[str, Any]:
    return draft_body(world.supplier, world.buyer, world.document, client_reference_id="intruder")


def _lists_nothing(world: World, body: Any) -> bool:
    return body.get("data") == []


INVOICE = {"invoice_id": "invoice:draft"}
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
    "POST /v1/credit-rights": Probe(body=lambda w: receivable(), expect=(202,)),
    "GET /v1/credit-rights/{internal_number}": Probe({"internal_number": "credit_right"}),
    "DELETE /v1/credit-rights/{internal_number}": Probe({"internal_number": "credit_right"}),
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


def _intrude(route: Route, probe: Probe, world: World, swap: dict[str, str] | None = None):
    """The intruder's request; with `swap`, the same request with the owner's ids replaced by unknown ones."""

    def swapped(value: Any) -> Any:
        text = json.dumps(value)
        for owned, unknown in (swap or {}).items():
            text = text.replace(owned, unknown)
        return json.loads(text)

    params = swapped({name: world[role] for name, role in probe.params.items()})
    return call(
        route.function_dir,
        route.method,
        route.path.format(**params),
        resource=route.path,
        path_parameters=params or None,
        body=swapped(probe.body(world)) if probe.body else None,
        tenant=INTRUDER,
        scope=EVERY_SCOPE,
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
        reply = _intrude(route, probe, world)
        expected = (403,) if probe.tenantless else probe.expect
        sent = json.dumps(
            [probe.params and [world[r] for r in probe.params.values()], probe.body and probe.body(world)]
        )
        text = json.dumps(reply.json)
        if reply.status not in expected:
            failures.append(f"{route.name}: {reply.status} (expected {expected}) {text[:300]}")
        elif leaks := [value for value in world.ids.values() if value in text and value not in sent]:
            failures.append(f"{route.name}: the answer names the owner's {leaks}")
        elif probe.check and not probe.check(world, reply.json):
            failures.append(f"{route.name}: the answer shows the owner's content {text[:300]}")
        elif reply.status >= 400:
            # The owner's id must be indistinguishable from an id nobody has.
            control = _intrude(route, probe, world, unknown)
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
        params = {name: world[role] for name, role in probe.params.items()}
        reply = _owner(route.function_dir, "GET", route.path, **params)
        assert reply.status == 200, (route.name, reply.status, reply.json)
        assert not probe.check or not probe.check(world, reply.json), (
            f"{route.name}: its check passes the owner too"
        )
