"""Companies through their handlers: the core family's contract on moto."""

import json

import pytest

from financing.adapters.aws import client
from financing.config import settings
from tests.integration.harness import call

pytestmark = pytest.mark.usefixtures("aws")

ITEM = "/v1/companies/{company_id}"
ACME_BR = {
    "name": "Fornecedora Ltda",
    "address": {"street": "Av. Paulista 1000", "city": "São Paulo", "state": "SP", "country_code": "BR"},
    "website": "https://fornecedora.example",
    "tax_id": "11.222.333/0001-81",
    "contacts": [
        {"first_name": "Ana", "last_name": "Silva", "email": "ana@fornecedora.example", "is_signatory": True}
    ],
}


def create(body=None, **kwargs):
    return call("create_company", "POST", "/v1/companies", body=ACME_BR if body is None else body, **kwargs)


def get(company_id, **kwargs):
    return call(
        "get_company",
        "GET",
        f"/v1/companies/{company_id}",
        resource=ITEM,
        path_parameters={"company_id": company_id},
        **kwargs,
    )


def patch(company_id, body, **kwargs):
    return call(
        "update_company",
        "PATCH",
        f"/v1/companies/{company_id}",
        resource=ITEM,
        path_parameters={"company_id": company_id},
        body=body,
        **kwargs,
    )


def items(kind):
    table = settings().table_name
    return [i for i in client("dynamodb").scan(TableName=table)["Items"] if i["kind"]["S"] == kind]


def test_a_created_company_is_returned_and_announced_through_the_outbox():
    reply = create(headers={"x-correlation-id": "corr-123"})
    assert reply.status == 201
    company = reply.json
    assert company["object"] == "company" and company["id"].startswith("company_")
    assert company["tax_id"] == "11222333000181"
    assert company["contacts"][0]["id"].startswith("contact_")
    assert reply.headers["x-correlation-id"] == "corr-123"
    [outbox] = items("outbox")
    detail = json.loads(outbox["detail"]["S"])
    assert outbox["detail_type"]["S"] == "company.created"
    assert detail["tenant_id"] == "acme" and detail["correlation_id"] == "corr-123"
    assert detail["object"] == company


def test_a_company_reads_back_with_one_consistent_read():
    company = create().json
    reply = get(company["id"])
    assert reply.status == 200 and reply.json == company
    assert reply.headers["x-correlation-id"]


def test_another_tenants_company_is_not_found():
    company = create().json
    reply = get(company["id"], tenant="globex")
    assert reply.status == 404
    assert reply.json["error"]["code"] == "resource_missing"


@pytest.mark.parametrize("company_id", ["nope", "company_123", "inv_01J00000000000000000000000"])
def test_malformed_ids_are_not_found(company_id):
    assert get(company_id).status == 404


def test_listing_pages_through_every_company_once_newest_first():
    created = [
        create({"name": f"Company {n}", "address": {"country_code": "GB"}}).json["id"] for n in range(5)
    ]
    seen, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = call("list_companies", "GET", "/v1/companies", query=query).json
        seen += [company["id"] for company in page["data"]]
        assert page["object"] == "list"
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert seen == list(reversed(created))
    assert call("list_companies", "GET", "/v1/companies", tenant="globex").json["data"] == []


def test_a_forged_or_foreign_cursor_is_refused():
    for n in range(3):
        create({"name": f"Company {n}", "address": {"country_code": "GB"}})
    cursor = call("list_companies", "GET", "/v1/companies", query={"limit": "1"}).json["next_cursor"]
    foreign = call("list_companies", "GET", "/v1/companies", query={"cursor": cursor}, tenant="globex")
    forged = call("list_companies", "GET", "/v1/companies", query={"cursor": cursor[:-2] + "xx"})
    for reply in (foreign, forged):
        assert reply.status == 400 and reply.json["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "101", "abc"])
def test_a_bad_limit_is_refused(limit):
    reply = call("list_companies", "GET", "/v1/companies", query={"limit": limit})
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "limit"


def test_patch_changes_only_what_is_sent_and_announces_it():
    company = create().json
    reply = patch(company["id"], {"website": None, "name": "Fornecedora SA"})
    assert reply.status == 200
    assert reply.json["name"] == "Fornecedora SA" and reply.json["website"] is None
    assert reply.json["tax_id"] == company["tax_id"] and reply.json["contacts"] == company["contacts"]
    assert sorted(i["detail_type"]["S"] for i in items("outbox")) == ["company.created", "company.updated"]
    assert get(company["id"]).json == reply.json


def test_patch_on_another_tenants_company_is_not_found_and_changes_nothing():
    company = create().json
    assert patch(company["id"], {"name": "Hijacked"}, tenant="globex").status == 404
    assert get(company["id"]).json["name"] == ACME_BR["name"]


def test_a_stale_write_loses_with_409():
    from financing.adapters.companies import CompanyStore
    from financing.domain.companies import revise_company
    from tests.unit.worlds import given_event

    company_id = create().json["id"]
    store = CompanyStore()
    stale = store.get("acme", company_id)
    assert patch(company_id, {"name": "First"}).status == 200
    from financing.domain.errors import Conflict

    event = given_event("company.updated", {})
    with pytest.raises(Conflict):
        store.save(revise_company(stale, {"name": "Second"}), event)
    assert get(company_id).json["name"] == "First"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"address": {"country_code": "GB"}}, "name"),
        ({"name": "X"}, "address"),
        ({"name": "X", "address": {"country_code": "gb"}}, "address.country_code"),
        ({"name": "X", "address": {"country_code": "GB"}, "colour": "red"}, "colour"),
        ({"name": 7, "address": {"country_code": "GB"}}, "name"),
        ({"name": "X", "address": {"country_code": "GB"}, "website": "ftp://x"}, "website"),
        ({"name": "X", "address": {"country_code": "BR"}, "tax_id": "11.222.333/0001-00"}, "tax_id"),
        (
            {
                "name": "X",
                "address": {"country_code": "GB"},
                "contacts": [{"first_name": "A", "last_name": "B", "email": "no"}],
            },
            "contacts.0.email",
        ),
        ([], "body"),
    ],
)
def test_bad_bodies_are_400_with_the_field_named_and_nothing_written(body, field):
    reply = create(body)
    assert reply.status == 400, reply.json
    error = reply.json["error"]
    assert (
        error["type"] == "invalid_request_error"
        and error["correlation_id"] == reply.headers["x-correlation-id"]
    )
    assert field in [detail["field"] for detail in error["details"]], error
    assert client("dynamodb").scan(TableName=settings().table_name)["Count"] == 0


def test_malformed_json_is_400():
    reply = call("create_company", "POST", "/v1/companies", raw_body='{"name": ')
    assert reply.status == 400 and reply.json["error"]["code"] == "invalid_json"


def test_oversized_bodies_are_413():
    reply = create({"name": "X" * (300 * 1024), "address": {"country_code": "GB"}})
    assert reply.status == 413 and reply.json["error"]["code"] == "payload_too_large"


def test_a_missing_scope_is_403():
    reply = create(scope="invoices:read")
    assert reply.status == 403 and reply.json["error"]["code"] == "missing_scope"
    assert get("company_01J00000000000000000000000", scope="webhooks:manage").status == 403


def test_no_verified_tenant_is_401():
    assert create(tenant=None).status == 401


def test_patch_cannot_null_a_required_field():
    company = create().json
    reply = patch(company["id"], {"name": None})
    assert reply.status == 400


class TestIdempotencyKey:
    def test_the_same_key_and_body_replays_the_first_answer(self):
        first = create(headers={"Idempotency-Key": "k-1"})
        again = create(headers={"Idempotency-Key": "k-1"})
        assert first.status == again.status == 201
        assert again.json == first.json
        assert len(items("company")) == 1

    def test_the_same_key_with_another_body_is_422(self):
        create(headers={"Idempotency-Key": "k-2"})
        reply = create({**ACME_BR, "name": "Other"}, headers={"Idempotency-Key": "k-2"})
        assert reply.status == 422 and reply.json["error"]["code"] == "idempotency_key_reused"

    def test_keys_are_per_tenant(self):
        first = create(headers={"Idempotency-Key": "k-3"})
        other = create(headers={"Idempotency-Key": "k-3"}, tenant="globex")
        assert other.status == 201 and other.json["id"] != first.json["id"]

    def test_a_failed_request_is_not_remembered(self):
        assert create({**ACME_BR, "tax_id": "bad"}, headers={"Idempotency-Key": "k-4"}).status == 400
        assert create(headers={"Idempotency-Key": "k-4"}).status == 201

    def test_a_key_still_in_flight_after_the_wait_is_409(self, monkeypatch):
        from financing.api import idempotency

        monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST_SECONDS", 0.3)

        def create_again():
            return create(headers={"Idempotency-Key": "k-5"})

        inner = {}
        original = idempotency.run_idempotently

        def nested(event, tenant_id, action, context, **options):
            def action_that_races():
                inner["reply"] = create_again() if "reply" not in inner else None
                return action()

            return original(event, tenant_id, action_that_races, context, **options)

        idempotency.run_idempotently = nested
        try:
            outer = create(headers={"Idempotency-Key": "k-5"})
        finally:
            idempotency.run_idempotently = original
        assert outer.status == 201
        assert (
            inner["reply"].status == 409 and inner["reply"].json["error"]["code"] == "idempotency_key_in_use"
        )


def test_a_missing_scope_is_403_even_when_the_body_is_invalid():
    reply = create({"colour": "red"}, scope="invoices:read")
    assert reply.status == 403 and reply.json["error"]["code"] == "missing_scope"


def test_a_body_that_is_not_json_is_415():
    reply = create(headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 415 and reply.json["error"]["code"] == "unsupported_media_type"
    assert client("dynamodb").scan(TableName=settings().table_name)["Count"] == 0
