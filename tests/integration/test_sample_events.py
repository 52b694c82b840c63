"""Every function in the template has its sample event in events/, exactly as `make events` writes it, and
handles it: an API sample, invoked with the one scope its handler needs on a stack seeded with the sample
objects it names (their real ids substituted), answers 2xx; a consumer reports no failed item."""

import json
import os
from datetime import UTC, datetime

import jwt
import pytest

from financing import clock
from financing.auth.scopes import Scope
from financing.config import settings
from financing.domain.credit_rights import REGISTRATION_MAX_ATTEMPTS
from financing.ids import as_uuid
from local import sample_events as samples
from local.routes import functions, required_scope
from local.settings import DEV_JWT_SECRET
from tests.integration.conftest import TEMPLATE
from tests.integration.harness import ROOT, Context, call, handler
from tests.integration.invoice_fixtures import act, approve_limit, draft_body, uploaded_document
from tests.integration.open_finance_fixtures import institution
from tests.integration.receivable_fixtures import deliver, outbox_events

FUNCTIONS = [(f.logical_id, f.code_dir) for f in functions(TEMPLATE)]
LENDER = "invoices:read invoices:write lender:operate"


def test_the_committed_sample_events_are_what_make_events_writes():
    rendered = samples.render_all(TEMPLATE)
    committed = {path.name: path.read_text() for path in (ROOT / "events").glob("*.json")}
    assert committed.keys() == rendered.keys(), "events/ is stale: run `make events`"
    stale = sorted(name for name, text in rendered.items() if committed[name] != text)
    assert not stale, f"events/ is stale ({', '.join(stale)}): run `make events`"


ROUTES = [(f, route) for f in functions(TEMPLATE) for route in f.routes]


@pytest.mark.parametrize(("function", "route"), ROUTES, ids=[f.logical_id for f, _ in ROUTES])
def test_each_api_sample_is_its_template_route_with_exactly_the_scope_its_handler_needs(function, route):
    method, path, guarded = route
    event = json.loads((ROOT / "events" / f"{function.code_dir}.json").read_text())
    assert (event["httpMethod"], event["resource"]) == (method, path)
    authorizer = event["requestContext"].get("authorizer")
    if guarded:
        assert authorizer["scope"] == required_scope(function.code_dir)
    else:
        assert authorizer is None


# ------------------------------------------------------------------------------------------------ seeding


class Seeded:
    """The sample objects, created on demand in the state the samples need (a fresh stack per test)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def __getitem__(self, sample: str) -> str:
        if sample not in self.ids:
            self.ids[sample] = SEEDS[sample](self)
        return self.ids[sample]

    def substituted(self, text: str) -> str:
        """`text` with each sample object it names (or its UUID form) replaced by the seeded one."""
        for sample in samples.SAMPLE_OBJECTS:
            forms = [(sample, lambda real: real)]
            if sample.startswith("inv_"):
                forms.append((str(as_uuid(sample)), lambda real: str(as_uuid(real))))
            for form, real_form in forms:
                if form in text:
                    text = text.replace(form, real_form(self[sample]))
        return text


def _company(seeded: Seeded, name: str, tax_id: str) -> dict:
    body = {
        "name": name,
        "address": {"country_code": "BR"},
        "tax_id": tax_id,
        "contacts": [{"first_name": "Ana", "last_name": name, "is_signatory": True}],
    }
    reply = call("create_company", "POST", "/v1/companies", body=body)
    assert reply.status == 201, reply.json
    return reply.json


def _supplier(seeded: Seeded) -> str:
    company = _company(seeded, "Fornecedora", "11222333000181")  # the sample consent's customer
    seeded.ids[samples.SUPPLIER_SIGNATORY] = company["contacts"][0]["id"]
    return company["id"]


def _buyer(seeded: Seeded) -> str:
    company = _company(seeded, "Compradora", "11444777000161")
    seeded.ids[samples.BUYER_SIGNATORY] = company["contacts"][0]["id"]
    approve_limit(company["id"], 100_000_000, currency="brl")
    return company["id"]


def _signatory(company: str):
    def seed(seeded: Seeded) -> str:
        seeded[company]
        return seeded.ids[
            samples.SUPPLIER_SIGNATORY if company == samples.SUPPLIER else samples.BUYER_SIGNATORY
        ]

    return seed


def _pending_limit(seeded: Seeded) -> str:
    body = {"company": seeded[samples.BUYER], "requested_limit": 250000, "currency": "brl"}
    reply = call("create_buyer_limit", "POST", "/v1/buyer_limits", body=body)
    assert reply.status == 201, reply.json
    return reply.json["id"]


def _invoice(steps: int):
    """An invoice taken `steps` steps from draft: submitted (new), signatures requested, signed (approved),
    funded (financed)."""

    def seed(seeded: Seeded) -> str:
        supplier, buyer = {"id": seeded[samples.SUPPLIER]}, {"id": seeded[samples.BUYER]}
        body = draft_body(
            supplier,
            buyer,
            {"id": seeded[samples.DOCUMENT]},
            currency="brl",
            client_reference_id=f"seed-{len(seeded.ids)}",
        )
        reply = call("create_invoice", "POST", "/v1/invoices", body=body)
        assert reply.status == 201, reply.json
        invoice = reply.json["id"]
        path = [
            ("submit_invoice", "submit", {}),
            ("request_invoice_signatures", "request_signatures", {}),
            ("sign_invoice", "sign", {"party": "supplier", "contact": seeded[samples.SUPPLIER_SIGNATORY]}),
            ("sign_invoice", "sign", {"party": "buyer", "contact": seeded[samples.BUYER_SIGNATORY]}),
            ("fund_invoice", "fund", {"advance_rate_percentage": 9000, "fee_percentage": 250}),
        ]
        for function_dir, action, action_body in path[: {0: 0, 1: 1, 2: 2, 3: 4, 4: 5}[steps]]:
            done = act(function_dir, action, invoice, action_body)
            assert done.status == 200, (action, done.json)
        return invoice

    return seed


def _subscription(seeded: Seeded) -> str:
    body = {"url": "https://receiver.example/hooks", "event_types": ["invoice.financed"]}
    reply = call(
        "create_webhook_subscription", "POST", "/v1/webhook_subscriptions", body=body, scope="webhooks:manage"
    )
    assert reply.status == 201, reply.json
    return reply.json["id"]


def _consent(seeded: Seeded) -> str:
    institution()
    body = {
        "customer_document": "11222333000181",
        "permissions": [
            "INVOICE_FINANCINGS_READ",
            "INVOICE_FINANCINGS_WARRANTIES_READ",
            "INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ",
            "INVOICE_FINANCINGS_PAYMENTS_READ",
            "RESOURCES_READ",
        ],
        "expiration_date_time": "2099-01-01T00:00:00Z",
    }
    reply = call("create_consent", "POST", "/v1/open_finance/consents", body=body, scope="consents:manage")
    assert reply.status == 201, reply.json
    return reply.json["consent_id"]


def _credit_right(seeded: Seeded) -> str:
    """A receivable the registrar has registered."""
    reply = call(
        "create_credit_right",
        "POST",
        "/v1/credit-rights",
        body=samples.CREDIT_RIGHT_REQUEST,
        scope="credit-rights:write",
    )
    assert reply.status == 202, reply.json
    requested = _registration_requested(samples.CREDIT_RIGHT)
    assert deliver("credit_rights.registration_requested", requested) == {"batchItemFailures": []}
    return samples.CREDIT_RIGHT


def _registration_requested(internal_number: str) -> dict:
    [requested] = [
        event
        for event in outbox_events("credit_rights.registration_requested")
        if event["object"]["internal_number"] == internal_number
    ]
    return requested


def _dead_lettered_credit_right(seeded: Seeded) -> str:
    """A receivable the registrar failed on every attempt the queue allows: still PENDING, dead-lettered."""
    body = {
        **samples.CREDIT_RIGHT_REQUEST,
        "internal_number": samples.DEAD_LETTERED_CREDIT_RIGHT,
        "holding_number": "1234.9",
    }
    reply = call("create_credit_right", "POST", "/v1/credit-rights", body=body, scope="credit-rights:write")
    assert reply.status == 202, reply.json
    requested = _registration_requested(samples.DEAD_LETTERED_CREDIT_RIGHT)
    before = os.environ.get("REGISTRAR_FAILURE_RATE")
    os.environ["REGISTRAR_FAILURE_RATE"] = "1"
    settings.cache_clear()
    try:
        for receive in range(1, REGISTRATION_MAX_ATTEMPTS + 1):
            failed = deliver("credit_rights.registration_requested", requested, receive_count=receive)
            assert len(failed["batchItemFailures"]) == 1
    finally:
        os.environ.pop("REGISTRAR_FAILURE_RATE")
        if before is not None:
            os.environ["REGISTRAR_FAILURE_RATE"] = before
        settings.cache_clear()
    return samples.DEAD_LETTERED_CREDIT_RIGHT


def _connect_token(seeded: Seeded) -> str:
    """A connect token issued now: its verification reads the wall clock (PyJWT's `exp`), not the sample day.
    The business it names has an offer open (the sample credit line), as the hosted page's routes need."""
    offer = samples.REQUESTS["PUT /v1/financing_offers"].body
    reply = call(
        "put_financing_offers", "PUT", "/v1/financing_offers", body=offer, scope=Scope.LENDER_OPERATE
    )
    assert reply.status == 200, reply.json
    clock.reset_clock()
    try:
        reply = call("create_financing_tokens", "POST", "/v1/financing_tokens", body={})
    finally:
        clock.set_clock(_sample_noon)
    assert reply.status in (200, 201), reply.json
    return reply.json["connect_token"]


SEEDS = {
    samples.SUPPLIER: _supplier,
    samples.BUYER: _buyer,
    samples.SUPPLIER_SIGNATORY: _signatory(samples.SUPPLIER),
    samples.BUYER_SIGNATORY: _signatory(samples.BUYER),
    samples.DOCUMENT: lambda seeded: uploaded_document()["id"],
    samples.PENDING_LIMIT: _pending_limit,
    samples.DRAFT_INVOICE: _invoice(0),
    samples.SUBMITTED_INVOICE: _invoice(1),
    samples.SIGNING_INVOICE: _invoice(2),
    samples.APPROVED_INVOICE: _invoice(3),
    samples.FINANCED_INVOICE: _invoice(4),
    samples.SUBSCRIPTION: _subscription,
    samples.CONSENT: _consent,
    samples.CREDIT_RIGHT: _credit_right,
    samples.DEAD_LETTERED_CREDIT_RIGHT: _dead_lettered_credit_right,
    samples.CONNECT_TOKEN: _connect_token,
}


def test_every_sample_object_has_its_seed():
    assert set(SEEDS) == set(samples.SAMPLE_OBJECTS)


def _sample_noon() -> datetime:
    return datetime.fromisoformat(samples.SAMPLE_DAY).replace(hour=12, tzinfo=UTC)


@pytest.fixture
def sample_day():
    """The day the samples were written for (their dates are valid on it)."""
    clock.set_clock(_sample_noon)
    yield
    clock.reset_clock()


# -------------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize(("logical_id", "code_dir"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_each_function_handles_its_sample_event(aws, sample_day, logical_id, code_dir):
    path = ROOT / "events" / f"{code_dir}.json"
    assert path.exists(), f"{logical_id} has no sample event at events/{code_dir}.json"
    text = path.read_text()
    event = json.loads(Seeded().substituted(text))
    result = handler(code_dir)(event, Context())
    if "httpMethod" in event:
        assert 200 <= result["statusCode"] < 300, result
    elif "Records" in event:
        assert result == {"batchItemFailures": []}
    elif event.get("type") == "TOKEN":
        assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow"
        assert result["context"]["tenant_id"] == samples.TENANT


def test_the_sample_authorizer_token_is_signed_with_the_documented_development_secret():
    event = json.loads((ROOT / "events" / "authorizer.json").read_text())
    token = event["authorizationToken"].removeprefix("Bearer ")
    assert (
        jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], audience="invoice-financing-api")["tenant_id"]
        == "acme"
    )
