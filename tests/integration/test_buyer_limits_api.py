"""Buyer limits through their handlers on moto: requests, decisions, the buyer's exposure, refusals."""

import json

import pytest

from financing.adapters.aws import client
from financing.adapters.dynamo import from_item, to_item
from financing.adapters.exposure import ExposureStore, exposure_key
from financing.config import settings
from tests.integration.harness import call

pytestmark = pytest.mark.usefixtures("aws")

LENDER = "lender:operate"
ITEM = "/v1/buyer_limits/{buyer_limit_id}"
UNKNOWN_COMPANY = "company_01JD0000000000000000000000"
UNKNOWN_LIMIT = "bl_01JD0000000000000000000000"


def company(tenant="acme", name="Compradora SA"):
    reply = call(
        "create_company",
        "POST",
        "/v1/companies",
        body={"name": name, "address": {"country_code": "BR"}},
        tenant=tenant,
    )
    assert reply.status == 201
    return reply.json["id"]


def create(body, **kwargs):
    return call("create_buyer_limit", "POST", "/v1/buyer_limits", body=body, **kwargs)


def request(company_id, amount=250000, currency="brl", **kwargs):
    reply = create({"company": company_id, "requested_limit": amount, "currency": currency}, **kwargs)
    assert reply.status == 201, reply.json
    return reply.json


def decide(action, limit_id, body, *, scope=LENDER, **kwargs):
    return call(
        f"{action}_buyer_limit",
        "POST",
        f"/v1/buyer_limits/{limit_id}/{action}",
        resource=f"{ITEM}/{action}",
        path_parameters={"buyer_limit_id": limit_id},
        body=body,
        scope=scope,
        **kwargs,
    )


def approve(limit_id, total=200000, **kwargs):
    return decide("approve", limit_id, {"total_limit": total}, **kwargs)


def deny(limit_id, reason="No payment history.", **kwargs):
    return decide("deny", limit_id, {"reason": reason}, **kwargs)


def get(limit_id, **kwargs):
    return call(
        "get_buyer_limit",
        "GET",
        f"/v1/buyer_limits/{limit_id}",
        resource=ITEM,
        path_parameters={"buyer_limit_id": limit_id},
        **kwargs,
    )


def listing(query=None, **kwargs):
    return call("list_buyer_limits", "GET", "/v1/buyer_limits", query=query, **kwargs)


def table_items():
    return sorted(
        (from_item(item) for item in client("dynamodb").scan(TableName=settings().table_name)["Items"]),
        key=lambda item: (item["pk"], item["sk"]),
    )


def outbox_types():
    return sorted(item["detail_type"] for item in table_items() if item["kind"] == "outbox")


def exposure_item(company_id, tenant="acme"):
    key = exposure_key(tenant, company_id)
    return from_item(
        client("dynamodb").get_item(TableName=settings().table_name, Key=to_item(key), ConsistentRead=True)[
            "Item"
        ]
    )


def set_outstanding(company_id, minor, tenant="acme"):
    """What the funding transaction does to the buyer's exposure, done directly."""
    client("dynamodb").update_item(
        TableName=settings().table_name,
        Key=to_item(exposure_key(tenant, company_id)),
        UpdateExpression="SET outstanding = :o",
        ExpressionAttributeValues={":o": {"N": str(minor)}},
    )


class TestRequest:
    def test_a_request_is_pending_and_points_the_buyers_exposure_at_it(self):
        buyer = company()
        reply = create(
            {"company": buyer, "requested_limit": 250000.5, "currency": "brl"},
            headers={"x-correlation-id": "corr-bl"},
        )
        assert reply.status == 201, reply.json
        limit = reply.json
        assert limit["id"].startswith("bl_") and limit["object"] == "buyer_limit"
        assert limit | {"id": None, "created": None} == {
            "id": None,
            "object": "buyer_limit",
            "company": buyer,
            "currency": "brl",
            "requested_limit": 250000.5,
            "total_limit": None,
            "available_limit": 0,
            "status": "pending",
            "reason": None,
            "created": None,
            "decided_at": None,
        }
        exposure = exposure_item(buyer)
        assert {k: exposure[k] for k in exposure if k not in ("pk", "sk", "kind")} == {
            "current_limit_id": limit["id"],
            "limit_status": "pending",
            "total_limit": 0,
            "currency": "brl",
            "outstanding": 0,
            "version": 1,
        }
        [event] = [
            i for i in table_items() if i["kind"] == "outbox" and i["detail_type"] == "buyer_limit.created"
        ]
        detail = json.loads(event["detail"])
        assert detail["object"] == limit and detail["correlation_id"] == "corr-bl"
        assert get(limit["id"]).json == limit

    def test_a_new_request_supersedes_the_current_one_and_keeps_the_approved_total_and_outstanding(self):
        buyer = company()
        first = request(buyer)
        assert approve(first["id"], 100000).status == 200
        set_outstanding(buyer, 2_500_000)
        second = request(buyer, 300000)
        exposure = exposure_item(buyer)
        assert exposure["current_limit_id"] == second["id"] and exposure["limit_status"] == "pending"
        assert exposure["total_limit"] == 10_000_000 and exposure["outstanding"] == 2_500_000
        assert exposure["version"] == 3
        # The superseded approved limit no longer has anything available; nor does the pending one.
        assert get(first["id"]).json["available_limit"] == 0
        assert get(second["id"]).json["available_limit"] == 0

    def test_another_currency_for_the_same_buyer_is_409_and_writes_nothing(self):
        buyer = company()
        request(buyer, currency="brl")
        before = table_items()
        reply = create({"company": buyer, "requested_limit": 10, "currency": "usd"})
        assert reply.status == 409 and reply.json["error"]["code"] == "currency_mismatch"
        assert table_items() == before

    @pytest.mark.parametrize("tenant_of_company", ["acme", "globex"])
    def test_an_unknown_or_foreign_company_is_400_naming_company_and_writes_nothing(self, tenant_of_company):
        foreign = company(tenant="globex") if tenant_of_company == "globex" else UNKNOWN_COMPANY
        before = table_items()
        reply = create({"company": foreign, "requested_limit": 10, "currency": "brl"})
        assert reply.status == 400, reply.json
        assert [d["field"] for d in reply.json["error"]["details"]] == ["company"]
        assert table_items() == before

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"company": "nope"}, "company"),
            ({"requested_limit": 0}, "requested_limit"),
            ({"requested_limit": -5}, "requested_limit"),
            ({"requested_limit": "100"}, "requested_limit"),
            ({"requested_limit": True}, "requested_limit"),
            ({"requested_limit": 100.001}, "requested_limit"),
            ({"requested_limit": 1e16}, "requested_limit"),
            ({"currency": "BRL"}, "currency"),
            ({"currency": "jpy"}, "currency"),
            ({"colour": "red"}, "colour"),
            ({"company": None}, "company"),
        ],
    )
    def test_bad_bodies_are_400_with_the_field_named_and_nothing_written(self, change, field):
        buyer = company()
        before = table_items()
        reply = create({"company": buyer, "requested_limit": 1000, "currency": "brl", **change})
        assert reply.status == 400, reply.json
        assert field in [d["field"] for d in reply.json["error"]["details"]], reply.json
        assert table_items() == before

    def test_a_missing_field_is_400(self):
        reply = create({"requested_limit": 10, "currency": "brl"})
        assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "company"

    def test_scopes(self):
        buyer = company()
        assert (
            create({"company": buyer, "requested_limit": 1, "currency": "brl"}, scope="invoices:read").status
            == 403
        )
        assert create({"company": buyer, "requested_limit": 1, "currency": "brl"}, scope=LENDER).status == 403

    def test_an_idempotency_key_replays_the_first_answer_and_creates_one_limit(self):
        buyer = company()
        body = {"company": buyer, "requested_limit": 500, "currency": "gbp"}
        first = create(body, headers={"Idempotency-Key": "bl-1"})
        again = create(body, headers={"Idempotency-Key": "bl-1"})
        assert first.status == again.status == 201 and first.json == again.json
        assert len([i for i in table_items() if i["kind"] == "buyer_limit"]) == 1
        assert outbox_types().count("buyer_limit.created") == 1
        other = create({**body, "requested_limit": 600}, headers={"Idempotency-Key": "bl-1"})
        assert other.status == 422


class TestDecisions:
    def test_approval_sets_the_total_and_makes_it_available(self):
        buyer = company()
        limit = request(buyer, 250000)
        reply = approve(limit["id"], 199999.99, headers={"x-correlation-id": "corr-ok"})
        assert reply.status == 200, reply.json
        approved = reply.json
        assert approved["status"] == "approved" and approved["total_limit"] == 199999.99
        assert (
            approved["available_limit"] == 199999.99 and approved["decided_at"] and approved["reason"] is None
        )
        exposure = exposure_item(buyer)
        assert exposure["limit_status"] == "approved" and exposure["total_limit"] == 19_999_999
        assert exposure["version"] == 2
        event = next(
            i for i in table_items() if i["kind"] == "outbox" and i["detail_type"] == "buyer_limit.approved"
        )
        assert json.loads(event["detail"])["object"] == approved
        assert get(limit["id"]).json == approved

    def test_available_is_the_total_less_the_buyers_outstanding_advances(self):
        buyer = company()
        limit = request(buyer)
        approve(limit["id"], 1000)
        set_outstanding(buyer, 25_050)
        assert get(limit["id"]).json["available_limit"] == 749.5
        [listed] = listing().json["data"]
        assert listed["available_limit"] == 749.5
        assert ExposureStore().get("acme", buyer).available == 74_950
        set_outstanding(buyer, 200_000)
        assert get(limit["id"]).json["available_limit"] == 0

    def test_denial_records_the_reason_and_leaves_nothing_available(self):
        buyer = company()
        limit = request(buyer)
        reply = deny(limit["id"], "  Too concentrated.  ")
        assert reply.status == 200
        assert reply.json["status"] == "denied" and reply.json["reason"] == "Too concentrated."
        assert reply.json["total_limit"] is None and reply.json["available_limit"] == 0
        assert exposure_item(buyer)["limit_status"] == "denied"
        assert outbox_types() == ["buyer_limit.created", "buyer_limit.denied", "company.created"]

    @pytest.mark.parametrize(
        ("first", "then"), [("deny", "approve"), ("approve", "deny"), ("approve", "approve")]
    )
    def test_only_a_pending_limit_can_be_decided(self, first, then):
        limit = request(company())
        assert (approve if first == "approve" else deny)(limit["id"]).status == 200
        before = table_items()
        reply = (approve if then == "approve" else deny)(limit["id"])
        assert reply.status == 409 and reply.json["error"]["code"] == "invalid_transition"
        status = "approved" if first == "approve" else "denied"
        assert reply.json["error"]["details"] == [{"field": "status", "message": status}]
        assert table_items() == before

    @pytest.mark.parametrize("action", ["approve", "deny"])
    def test_deciding_a_superseded_request_is_409_and_writes_nothing(self, action):
        buyer = company()
        old = request(buyer)
        new = request(buyer, 300000)
        before = table_items()
        reply = (approve if action == "approve" else deny)(old["id"])
        assert reply.status == 409 and reply.json["error"]["code"] == "limit_superseded"
        assert table_items() == before
        assert approve(new["id"], 300000).json["available_limit"] == 300000

    def test_a_deny_that_loses_the_race_to_a_newer_request_is_409(self):
        from financing.adapters.buyer_limits import BuyerLimitStore
        from financing.domain import buyer_limits as rules
        from financing.domain.errors import Conflict
        from tests.unit.worlds import given_event

        buyer = company()
        old = BuyerLimitStore().get("acme", request(buyer)["id"])
        request(buyer)  # arrives between the read and the write
        event = given_event("buyer_limit.denied", {})
        with pytest.raises(Conflict) as refused:
            BuyerLimitStore().decide(rules.deny(old, "late"), event)
        assert refused.value.code == "limit_superseded"

    def test_a_stale_decision_loses_with_409(self):
        from financing.adapters.buyer_limits import BuyerLimitStore
        from financing.domain import buyer_limits as rules
        from financing.domain.errors import Conflict
        from tests.unit.worlds import given_event

        limit_id = request(company())["id"]
        stale = BuyerLimitStore().get("acme", limit_id)
        assert approve(limit_id).status == 200
        event = given_event("buyer_limit.denied", {})
        with pytest.raises(Conflict) as refused:
            BuyerLimitStore().decide(rules.deny(stale, "late"), event)
        assert refused.value.code == "conflict"
        assert get(limit_id).json["status"] == "approved"

    @pytest.mark.parametrize(
        ("action", "body", "field"),
        [
            ("approve", {"total_limit": 0}, "total_limit"),
            ("approve", {"total_limit": 1.234}, "total_limit"),
            ("approve", {"total_limit": "5"}, "total_limit"),
            ("approve", {}, "total_limit"),
            ("approve", {"total_limit": 5, "extra": 1}, "extra"),
            ("deny", {"reason": "   "}, "reason"),
            ("deny", {"reason": "x" * 501}, "reason"),
            ("deny", {}, "reason"),
        ],
    )
    def test_bad_bodies_are_400_and_write_nothing(self, action, body, field):
        limit = request(company())
        before = table_items()
        reply = decide(action, limit["id"], body)
        assert reply.status == 400, reply.json
        assert field in [d["field"] for d in reply.json["error"]["details"]]
        assert table_items() == before

    def test_decisions_need_lender_operate(self):
        limit = request(company())
        assert approve(limit["id"], scope="invoices:read invoices:write").status == 403
        assert deny(limit["id"], scope="invoices:write").status == 403
        assert get(limit["id"]).json["status"] == "pending"

    @pytest.mark.parametrize("limit_id", [UNKNOWN_LIMIT, "nope", "company_01JD0000000000000000000000"])
    def test_unknown_limits_are_404(self, limit_id):
        assert approve(limit_id).status == 404
        assert deny(limit_id).status == 404
        assert get(limit_id).status == 404

    def test_another_tenants_limit_is_404_and_unchanged(self):
        limit = request(company())
        before = table_items()
        for reply in (approve(limit["id"], tenant="globex"), deny(limit["id"], tenant="globex")):
            assert reply.status == 404 and reply.json["error"]["code"] == "resource_missing"
        assert get(limit["id"], tenant="globex").status == 404
        assert table_items() == before

    def test_an_idempotent_approval_replays_instead_of_409(self):
        limit = request(company())
        first = approve(limit["id"], headers={"Idempotency-Key": "ap-1"})
        again = approve(limit["id"], headers={"Idempotency-Key": "ap-1"})
        assert first.status == again.status == 200 and again.json == first.json
        assert outbox_types().count("buyer_limit.approved") == 1


class TestListing:
    def test_pages_newest_first_and_filters_by_buyer(self):
        first, second = company(name="A"), company(name="B")
        created = [request(first)["id"], request(second)["id"], request(first)["id"], request(second)["id"]]
        seen, cursor = [], None
        while True:
            page = listing({"limit": "3", **({"cursor": cursor} if cursor else {})}).json
            seen += [limit["id"] for limit in page["data"]]
            if not page["has_more"]:
                assert page["next_cursor"] is None
                break
            cursor = page["next_cursor"]
        assert seen == list(reversed(created))
        only_first = listing({"company": first}).json["data"]
        assert [limit["id"] for limit in only_first] == [created[2], created[0]]
        assert listing(tenant="globex").json["data"] == []
        assert listing({"company": first}, tenant="globex").json["data"] == []

    def test_the_buyer_copy_follows_every_decision(self):
        buyer = company()
        limit = request(buyer)
        approve(limit["id"], 1000)
        assert listing({"company": buyer}).json["data"] == [get(limit["id"]).json]

    def test_a_cursor_is_bound_to_its_filter(self):
        buyer = company()
        for _ in range(3):
            request(buyer)
        cursor = listing({"limit": "1", "company": buyer}).json["next_cursor"]
        reply = listing({"cursor": cursor})
        assert reply.status == 400 and reply.json["error"]["code"] == "invalid_cursor"

    @pytest.mark.parametrize("query", [{"company": "nope"}, {"limit": "0"}, {"limit": "101"}])
    def test_bad_queries_are_400(self, query):
        reply = listing(query)
        assert reply.status == 400 and reply.json["error"]["details"][0]["field"] in query

    def test_reading_needs_invoices_read(self):
        assert listing(scope=LENDER).status == 403
        assert get(UNKNOWN_LIMIT, scope="invoices:write").status == 403
