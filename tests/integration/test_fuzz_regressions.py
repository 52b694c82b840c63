"""Failures the contract fuzzer found, kept as regular tests.

A body that is not UTF-8 reaches a handler base64-encoded (API Gateway does so with bytes it cannot pass
as text); decoding it crashed the resolver (500) on every route with a body. It is now a 400 in the
route's family envelope, writing nothing.

`GET /v1/financing_invoices?due_date__gte=0001-01-01&due_date__lte=9999-12-31` opened one DynamoDB Query
per month of the span (119,988) until the function timed out (a 502 locally). Due bounds more than ten
years apart are now a 422 naming them, answered before any read. A date bound at the calendar's ends
(`due_date__lt=0001-01-01`, `due_date__gt=9999-12-31`, or an offset taking it past them in UTC) overflowed
Python's dates (a 500): it is now a range with no day, or every day, on its side."""

import base64
import json
import re
import time
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from financing.adapters.aws import client
from financing.config import settings
from financing.domain.financing_list import MAX_DUE_SPAN_YEARS
from financing.ids import new_id
from local.token import ALL_SCOPES
from tests.integration.harness import Context, api_event, handler
from tests.integration.invoice_fixtures import company, draft_body, uploaded_document
from tests.integration.monite_fixtures import (
    assert_conforms,
    connect_authorization,
    list_invoices,
    store,
    stored_invoice,
)
from tests.integration.routes import declared_routes

pytestmark = pytest.mark.usefixtures("aws")

NOT_UTF8 = b"\xff\xfe\x97{"
WITH_BODY = [route for route in declared_routes() if route.method in ("POST", "PUT", "PATCH")]


def _stored() -> int:
    return client("dynamodb").scan(TableName=settings().table_name, Select="COUNT")["Count"]


@pytest.mark.parametrize("route", WITH_BODY, ids=[route.name for route in WITH_BODY])
def test_a_body_that_is_not_utf8_is_a_400_in_the_familys_envelope_and_writes_nothing(route):
    params = {name.strip("{}"): "x1" for name in route.path.split("/") if name.startswith("{")}
    event = api_event(
        route.method,
        route.path.format(**params),
        resource=route.path,
        path_parameters=params or None,
        scope=" ".join(ALL_SCOPES),
        # A route outside the authorizer takes its credential (the hosted page's connect token) in the request.
        headers=None if route.authorized else connect_authorization("acme"),
    )
    event |= {"body": base64.b64encode(NOT_UTF8).decode(), "isBase64Encoded": True}

    reply = handler(route.function_dir)(event, Context())

    assert reply["statusCode"] == 400, reply
    body = json.loads(reply["body"])
    message = body["error"]["message"] if "error" in body else body["errors"][0]
    assert message == "The body is not valid JSON."
    assert _stored() == 0


def test_a_due_range_from_year_1_to_year_9999_is_a_422_naming_both_bounds_before_any_read(dynamodb_queries):
    store([stored_invoice("acme")])
    reply = list_invoices({"due_date__gte": "0001-01-01", "due_date__lte": "9999-12-31"})
    assert reply.status == 422, reply.json
    assert_conforms(reply.json, "HTTPValidationError")
    assert [d["loc"] for d in reply.json["detail"]] == [
        ["query", "due_date__gte"],
        ["query", "due_date__lte"],
    ]
    assert f"{MAX_DUE_SPAN_YEARS} years" in reply.json["detail"][0]["msg"]
    assert reply.headers["x-correlation-id"]
    assert dynamodb_queries == []


@pytest.mark.parametrize(
    "query",
    [
        {"due_date__lt": "0001-01-01"},
        {"due_date__gt": "9999-12-31"},
        {"issue_date__gt": "9999-12-31T12:00:00Z"},
        {"due_date__gte": "9999-12-31T00:00:01Z"},
        {"due_date__lte": "0001-01-01T05:00:00+06:00"},
        {"created_at__lt": "0001-01-01T05:00:00+06:00"},
        {"created_at__gt": "9999-12-31T20:00:00-06:00"},
    ],
)
def test_a_date_bound_at_the_calendars_ends_matches_nothing_rather_than_failing(query):
    store([stored_invoice("acme")])
    reply = list_invoices(query)
    assert reply.status == 200, reply.json
    assert reply.json["data"] == [] and reply.json["next_pagination_token"] is None


@pytest.mark.parametrize(
    "query",
    [{"due_date__gte": "0001-01-01T05:00:00+06:00"}, {"issue_date__lte": "9999-12-31T20:00:00-06:00"}],
)
def test_a_date_bound_past_the_calendars_ends_on_the_open_side_matches_everything(query):
    store([stored_invoice("acme")])
    reply = list_invoices(query)
    assert reply.status == 200, reply.json
    assert len(reply.json["data"]) == 1


# The stateful fuzzer, following `POST /v1/companies` -> `GET /v1/buyer_limits?company=`, sent an empty
# company: schema-valid (a string of at most 64 characters), refused as "must be a company id". An id
# filter the API checks says so in the document: what it refuses violates the documented schema.
COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
ID_FILTERS = [
    ("/v1/buyer_limits", "company", "list_buyer_limits", "company"),
    ("/v1/ledger/entries", "invoice", "list_ledger_entries", "inv"),
    ("/v1/ledger/entries.csv", "invoice", "export_ledger_entries", "inv"),
    ("/v1/ledger/balances", "invoice", "get_ledger_balances", "inv"),
]


@pytest.mark.parametrize(("path", "name", "function", "prefix"), ID_FILTERS, ids=[f[0] for f in ID_FILTERS])
def test_an_id_filter_the_api_refuses_is_one_the_document_refuses_too(path, name, function, prefix):
    [parameter] = [
        p for p in json.loads(COMMITTED.read_text())["paths"][path]["get"]["parameters"] if p["name"] == name
    ]
    documented = jsonschema.Draft202012Validator(parameter["schema"])
    for value in ("", "abc", f"{prefix}_01", new_id(prefix).lower()):
        event = api_event("GET", path, query={name: value}, scope=" ".join(ALL_SCOPES))
        reply = handler(function)(event, Context())
        assert reply["statusCode"] == 400, (value, reply)
        assert not documented.is_valid(value), (value, parameter["schema"])
    assert documented.is_valid(new_id(prefix))


# The stateful fuzzer created an invoice with `type_of_goods: ["perishables", "perishables"]`: schema-valid
# (one to three known types), refused as "must be a non-empty set of types of goods". The document now says
# the types are a set (`uniqueItems`), on creation and on edit.
@pytest.mark.parametrize("schema", ["InvoiceCreate", "InvoiceUpdate"])
def test_repeated_types_of_goods_are_refused_by_the_document_as_by_the_api(schema):
    document = json.loads(COMMITTED.read_text())
    field = document["components"]["schemas"][schema]["properties"]["type_of_goods"]
    array = next((b for b in field.get("anyOf", [field]) if b.get("type") == "array"), field)
    documented = jsonschema.Draft202012Validator({**array, "components": document["components"]})
    assert not documented.is_valid(["perishables", "perishables"])
    assert documented.is_valid(["perishables", "other"])

    # The API's refusal, on an otherwise valid draft of real companies and document.
    draft = draft_body(company("Supplier"), company("Buyer"), uploaded_document())
    body = {**draft, "type_of_goods": ["perishables", "perishables"]}
    stored = _stored()
    event = api_event("POST", "/v1/invoices", body=body, scope=" ".join(ALL_SCOPES))
    reply = handler("create_invoice")(event, Context())
    assert reply["statusCode"] == 400, reply
    assert {d["field"] for d in json.loads(reply["body"])["error"]["details"]} == {"type_of_goods"}
    assert _stored() == stored


# The stateful fuzzer drafted a usd invoice naming a receivable (`credit_rights_internal_number`): schema-valid,
# refused as "only a brl invoice can reference a receivable". A rule between two fields of one body is a
# conditional the document can say (`if` the currency is not brl, `then` no receivable).
def test_a_receivable_on_a_non_brl_draft_is_refused_by_the_document_as_by_the_api():
    document = json.loads(COMMITTED.read_text())
    documented = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/InvoiceCreate", "components": document["components"]}
    )
    draft = draft_body(company("Supplier"), company("Buyer"), uploaded_document())
    assert documented.is_valid(draft)
    assert documented.is_valid({**draft, "currency": "brl", "credit_rights_internal_number": "CR-1"})
    assert documented.is_valid({**draft, "credit_rights_internal_number": None})
    body = {**draft, "currency": "usd", "credit_rights_internal_number": "CR-1"}
    assert not documented.is_valid(body)

    stored = _stored()
    reply = handler("create_invoice")(
        api_event("POST", "/v1/invoices", body=body, scope=" ".join(ALL_SCOPES)), Context()
    )
    assert reply["statusCode"] == 400, reply
    assert {d["field"] for d in json.loads(reply["body"])["error"]["details"]} == {
        "credit_rights_internal_number"
    }
    assert _stored() == stored


# The fuzzer asked `GET /v1/reports/aging?as_of=0552-12-19` of a tenant with invoices: a 502 after the
# function's 10 s. A year before 1000 was written without its leading zero ("552-12"), which sorts after
# "2026-12", so the months from the tenant's first to `as_of` never ended. Now it is an empty report at once.
def test_an_as_of_date_before_the_year_1000_reads_no_month_and_answers_at_once():
    from financing.adapters.ledger import month_of

    assert month_of(date(552, 12, 19)) == "0552-12"
    draft = draft_body(company("Supplier"), company("Buyer"), uploaded_document())
    created = handler("create_invoice")(
        api_event("POST", "/v1/invoices", body=draft, scope=" ".join(ALL_SCOPES)), Context()
    )
    assert created["statusCode"] == 201, created
    started = time.monotonic()
    event = api_event("GET", "/v1/reports/aging", query={"as_of": "0552-12-19"}, scope=" ".join(ALL_SCOPES))
    reply = handler("get_aging_report")(event, Context())
    assert reply["statusCode"] == 200 and json.loads(reply["body"])["data"] == []
    assert time.monotonic() - started < 5


# JSON Schema's regexes are ECMA-262's, whose `\s` leaves out the information separators (U+001C-U+001F) and
# NEL (U+0085), and takes in U+FEFF, where Python's takes the first and leaves out the last. The fuzzer sent a
# website `httPs://\x1e`: schema-valid, refused by the API. A pattern read the way a JSON Schema tool reads it:
ECMA_SPACES = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _documented(schema: str) -> jsonschema.Draft202012Validator:
    document = json.loads(COMMITTED.read_text())
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
    )


def _ecma_pattern(schema: dict) -> str:
    pattern = next(branch for branch in schema["anyOf"] if branch.get("type") == "string")["pattern"]
    return pattern.replace(r"\s", ECMA_SPACES)


@pytest.mark.parametrize(
    "website",
    [
        "https://\x1e",
        "http://a\x1c",
        "https://x\x85y",
        "https://\ufeff",
        "https://example.com",
        "HTTPS://a.b",
    ],
)
def test_a_website_is_refused_by_the_document_exactly_when_the_api_refuses_it(website):
    document = json.loads(COMMITTED.read_text())
    schema = document["components"]["schemas"]["CompanyCreate"]["properties"]["website"]
    documented = re.search(_ecma_pattern(schema), website) is not None

    stored = _stored()
    body = {"name": "Acme", "address": {"country_code": "GB"}, "website": website}
    reply = handler("create_company")(
        api_event("POST", "/v1/companies", body=body, scope=" ".join(ALL_SCOPES)), Context()
    )

    assert (reply["statusCode"] == 201) == documented, (website, reply)
    if not documented:
        assert [d["field"] for d in json.loads(reply["body"])["error"]["details"]] == ["website"]
        assert _stored() == stored


# At most 15 significant digits, as the core family has always taken an amount (so the number a client reads
# back is the one it sent): the document said only `exclusiveMinimum: 0`, so `1e15` was schema-valid and
# refused, and the fuzzer's negative cases never tried an amount too large.
@pytest.mark.parametrize(
    ("schema", "field"),
    [("InvoiceCreate", "amount"), ("InvoiceUpdate", "amount"), ("PaymentBody", "amount")],
)
def test_an_amount_past_15_digits_is_out_of_the_documented_bounds(schema, field):
    documented = json.loads(COMMITTED.read_text())["components"]["schemas"][schema]["properties"][field]
    assert documented["maximum"] == 999999999999999
    amount = jsonschema.Draft202012Validator(documented)
    assert amount.is_valid(999999999999999) and amount.is_valid(9999999999999.99)
    assert not amount.is_valid(1000000000000000) and not amount.is_valid(1e20)


@pytest.mark.parametrize("amount", [999999999999999, 1000000000000000, 10**20])
def test_a_draft_amount_is_taken_exactly_when_the_document_allows_it(amount):
    documented = _documented("InvoiceCreate")
    draft = {**draft_body(company("Supplier"), company("Buyer"), uploaded_document()), "amount": amount}

    reply = handler("create_invoice")(
        api_event("POST", "/v1/invoices", body=draft, scope=" ".join(ALL_SCOPES)), Context()
    )

    assert (reply["statusCode"] == 201) == documented.is_valid(draft), reply


# The fuzzer sent `GET /v1/ledger/entries.csv?posted_to=0` and got a 200: a query date was parsed the lax way,
# `0` (or `86400`) as a Unix time, 1970-01-01, where the document says a `YYYY-MM-DD` date.
DATE_QUERIES = [
    ("export_ledger_entries", "/v1/ledger/entries.csv", "posted_to"),
    ("export_ledger_entries", "/v1/ledger/entries.csv", "posted_from"),
    ("list_ledger_entries", "/v1/ledger/entries", "posted_to"),
    ("list_ledger_entries", "/v1/ledger/entries", "posted_from"),
    ("get_ledger_balances", "/v1/ledger/balances", "as_of"),
    ("get_aging_report", "/v1/reports/aging", "as_of"),
]


@pytest.mark.parametrize("value", ["0", "86400", "2026-1-5"])
@pytest.mark.parametrize(("function", "path", "name"), DATE_QUERIES)
def test_a_query_date_is_a_yyyy_mm_dd_date_never_a_unix_time(function, path, name, value):
    event = api_event("GET", path, query={name: value}, scope=" ".join(ALL_SCOPES))
    reply = handler(function)(event, Context())
    assert reply["statusCode"] == 400, reply
    body = json.loads(reply["body"])
    assert [d["field"] for d in body["error"]["details"]] == [name]
    assert reply["multiValueHeaders"]["x-correlation-id"] == [body["error"]["correlation_id"]]

    fine = handler(function)(
        api_event("GET", path, query={name: "2026-01-05"}, scope=" ".join(ALL_SCOPES)), Context()
    )
    assert fine["statusCode"] == 200, fine


# The fuzzer subscribed `"\n\t https://wulCXVhme9F7\n \t*"`, which the document's pattern refuses: the API
# took it (201), as `https://wulCXVhme9F7\n \t*` (urlsplit drops tabs and newlines, and read `*` into the
# host). A URL with a space or a control character inside, or a host of other characters than the pattern's,
# is now refused like the document says, naming `url`, writing nothing.
@pytest.mark.parametrize(
    "url",
    [
        "https://wulCXVhme9F7\n \t*",
        "https://exa mple.com/",
        "https://example.com/a\tb",
        "https://ex*ample.com/",
    ],
)
def test_a_webhook_url_with_a_space_inside_or_a_host_the_pattern_refuses_is_a_400(url):
    document = json.loads(COMMITTED.read_text())
    pattern = document["components"]["schemas"]["WebhookSubscriptionCreate"]["properties"]["url"]["pattern"]
    assert re.search(pattern.replace(r"\s", ECMA_SPACES), url) is None

    stored = _stored()
    body = {"url": url, "event_types": ["*"]}
    reply = handler("create_webhook_subscription")(
        api_event("POST", "/v1/webhook_subscriptions", body=body, scope=" ".join(ALL_SCOPES)), Context()
    )
    assert reply["statusCode"] == 400, reply
    assert [d["field"] for d in json.loads(reply["body"])["error"]["details"]] == ["url"]
    assert _stored() == stored


# The fuzzer subscribed `event_types: ["*", "*"]`: the document says `"*"` is sent alone (an array of one), and
# the API took it, deduplicated. It is refused like `"*"` with any other name.
@pytest.mark.parametrize("event_types", [["*", "*"], ["*", "*", "*"]])
def test_every_event_named_twice_is_refused_as_the_document_says(event_types):
    document = json.loads(COMMITTED.read_text())
    schema = document["components"]["schemas"]["WebhookSubscriptionCreate"]["properties"]["event_types"]
    assert not jsonschema.Draft202012Validator(schema).is_valid(event_types)

    stored = _stored()
    body = {"url": "https://example.com/hook", "event_types": event_types}
    reply = handler("create_webhook_subscription")(
        api_event("POST", "/v1/webhook_subscriptions", body=body, scope=" ".join(ALL_SCOPES)), Context()
    )
    assert reply["statusCode"] == 400, reply
    assert [d["field"] for d in json.loads(reply["body"])["error"]["details"]] == ["event_types"]
    assert _stored() == stored
