"""Tenant settings through their handlers on moto: defaults, replacement, bounds, tenancy."""

import json

import pytest

from financing.adapters.aws import client
from financing.adapters.dynamo import from_item
from financing.adapters.settings import SettingsStore
from financing.config import settings
from tests.integration.harness import call

pytestmark = pytest.mark.usefixtures("aws")

LENDER = "lender:operate"
DEFAULTS = {
    "object": "settings",
    "default_after_days": 90,
    "grace_days": 0,
    "late_fee_rate_percentage": 2400,
    "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
    "iof": {"daily_rate": 8200, "additional_rate": 380_000},  # the statute's: 0.0082% a day, 0.38% once
    "brand_name": None,
    "institution_cnpj": None,
    "concentration_limit_percentage": None,
    "concentration_limit_applies_above": 0,
    "updated": None,
}
BODY = {
    "default_after_days": 60,
    "grace_days": 5,
    "late_fee_rate_percentage": 3650,
    "pricing": {"advance_rate_percentage": 8500, "fee_percentage": 300},
}


def get(**kwargs):
    return call("get_settings", "GET", "/v1/settings", **{"scope": LENDER, **kwargs})


def put(body, **kwargs):
    return call("put_settings", "PUT", "/v1/settings", body=body, **{"scope": LENDER, **kwargs})


def table_items():
    return sorted(
        (from_item(item) for item in client("dynamodb").scan(TableName=settings().table_name)["Items"]),
        key=lambda item: (item["pk"], item["sk"]),
    )


def test_a_tenant_that_never_saved_settings_reads_the_defaults_and_nothing_is_written():
    reply = get()
    assert reply.status == 200 and reply.json == DEFAULTS
    assert table_items() == []
    assert SettingsStore().get("acme").funding_pricing().advance_rate == 9000


def test_put_replaces_everything_and_announces_it():
    reply = put(BODY, headers={"x-correlation-id": "corr-set"})
    assert reply.status == 200, reply.json
    assert reply.json == {
        "object": "settings",
        **BODY,
        "iof": DEFAULTS["iof"],
        "brand_name": None,
        "institution_cnpj": None,
        "concentration_limit_percentage": None,
        "concentration_limit_applies_above": 0,
        "updated": reply.json["updated"],
    }
    assert reply.json["updated"].endswith("Z")
    assert get().json == reply.json
    [item] = [i for i in table_items() if i["kind"] == "settings"]
    assert (item["pk"], item["sk"], item["version"]) == ("acme#SETTINGS", "current", 1)
    [outbox] = [i for i in table_items() if i["kind"] == "outbox"]
    detail = json.loads(outbox["detail"])
    assert outbox["detail_type"] == "settings.updated" and detail["object"] == reply.json
    assert detail["correlation_id"] == "corr-set"


def test_the_store_gives_the_invoice_work_the_domain_model():
    put(BODY)
    stored = SettingsStore().get("acme")
    assert (stored.default_after_days, stored.grace_days, stored.late_fee_rate_percentage) == (60, 5, 3650)
    assert (stored.advance_rate_percentage, stored.fee_percentage) == (8500, 300)
    assert stored.funding_pricing().fee_rate == 300 and stored.version == 1
    assert SettingsStore().get("globex").terms() == SettingsStore().get("nobody").terms()


def test_a_second_put_is_a_versioned_replacement_and_the_same_put_again_changes_nothing():
    first = put(BODY).json
    again = put(BODY)
    assert again.status == 200 and again.json == first
    second = put({**BODY, "grace_days": 7}).json
    assert second["grace_days"] == 7
    [item] = [i for i in table_items() if i["kind"] == "settings"]
    assert item["version"] == 2
    assert [i["detail_type"] for i in table_items() if i["kind"] == "outbox"] == ["settings.updated"] * 2


def test_settings_are_per_tenant():
    put(BODY)
    assert get(tenant="globex").json == DEFAULTS


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"default_after_days": 0}, "default_after_days"),
        ({"default_after_days": 3651}, "default_after_days"),
        ({"grace_days": -1}, "grace_days"),
        ({"grace_days": 3651}, "grace_days"),
        ({"late_fee_rate_percentage": 100001}, "late_fee_rate_percentage"),
        ({"late_fee_rate_percentage": -1}, "late_fee_rate_percentage"),
        (
            {"pricing": {"advance_rate_percentage": 0, "fee_percentage": 250}},
            "pricing.advance_rate_percentage",
        ),
        (
            {"pricing": {"advance_rate_percentage": 10001, "fee_percentage": 250}},
            "pricing.advance_rate_percentage",
        ),
        ({"pricing": {"advance_rate_percentage": 9000, "fee_percentage": 10001}}, "pricing.fee_percentage"),
        ({"pricing": {"advance_rate_percentage": 9000}}, "pricing.fee_percentage"),
        ({"pricing": {"advance_rate_percentage": 10000, "fee_percentage": 250}}, "pricing.fee_percentage"),
        (
            {"pricing": {"advance_rate_percentage": 9800, "fee_percentage": 250}},
            "pricing.advance_rate_percentage",
        ),
        ({"pricing": {**BODY["pricing"], "brand": "x"}}, "pricing.brand"),
        ({"grace_days": "5"}, "grace_days"),
        ({"grace_days": 5.5}, "grace_days"),  # 5.0 is the integer 5, as JSON Schema says
        ({"grace_days": True}, "grace_days"),
        ({"grace_days": None}, "grace_days"),
        ({"colour": "red"}, "colour"),
        ({"institution_cnpj": "11.222.333/0001-82"}, "institution_cnpj"),
        ({"institution_cnpj": "529.982.247-25"}, "institution_cnpj"),
        ({"institution_cnpj": 11222333000181}, "institution_cnpj"),
        ({"brand_name": ""}, "brand_name"),
        ({"brand_name": " Banco"}, "brand_name"),
        ({"brand_name": "B" * 81}, "brand_name"),
        ({"concentration_limit_percentage": 0}, "concentration_limit_percentage"),
        ({"concentration_limit_percentage": 10001}, "concentration_limit_percentage"),
        ({"concentration_limit_percentage": "2500"}, "concentration_limit_percentage"),
        ({"concentration_limit_percentage": 2500.5}, "concentration_limit_percentage"),
        ({"concentration_limit_applies_above": -1}, "concentration_limit_applies_above"),
        ({"concentration_limit_applies_above": None}, "concentration_limit_applies_above"),
    ],
)
def test_bad_bodies_are_400_with_the_field_named_and_nothing_written(change, field):
    reply = put({**BODY, **change})
    assert reply.status == 400, reply.json
    assert field in [detail["field"] for detail in reply.json["error"]["details"]], reply.json
    assert table_items() == []


def test_the_institution_for_open_finance_is_set_with_a_valid_cnpj_stored_as_digits():
    reply = put({**BODY, "brand_name": "Banco Acme", "institution_cnpj": "11.222.333/0001-81"})
    assert reply.status == 200, reply.json
    assert (reply.json["brand_name"], reply.json["institution_cnpj"]) == ("Banco Acme", "11222333000181")
    stored = SettingsStore().get("acme")
    assert (stored.brand_name, stored.institution_cnpj) == ("Banco Acme", "11222333000181")
    assert put({**BODY, "brand_name": "Banco Acme", "institution_cnpj": "11222333000181"}).json == reply.json


def test_every_field_is_required():
    body = {key: value for key, value in BODY.items() if key != "grace_days"}
    reply = put(body)
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "grace_days"


@pytest.mark.parametrize(
    "values", [{"default_after_days": 1, "grace_days": 0}, {"default_after_days": 3650, "grace_days": 3650}]
)
def test_the_bounds_are_inclusive(values):
    assert put({**BODY, **values}).status == 200


def test_settings_need_lender_operate():
    assert get(scope="invoices:read invoices:write").status == 403
    assert put(BODY, scope="invoices:write").status == 403
    assert table_items() == []


def test_a_stale_replacement_loses_with_409():
    from financing.domain.errors import Conflict
    from financing.domain.settings import replace_settings
    from tests.unit.worlds import given_event

    put(BODY)
    store = SettingsStore()
    stale = store.get("acme")
    put({**BODY, "grace_days": 9})
    event = given_event("settings.updated", {})
    with pytest.raises(Conflict):
        store.save(replace_settings(stale, {**BODY, "grace_days": 1}), event)
    assert get().json["grace_days"] == 9


def test_two_first_saves_race_and_one_loses():
    from financing.domain.errors import Conflict
    from financing.domain.settings import replace_settings
    from tests.unit.worlds import given_event

    store = SettingsStore()
    never_saved = store.get("acme")
    put(BODY)
    event = given_event("settings.updated", {})
    with pytest.raises(Conflict):
        store.save(replace_settings(never_saved, {**BODY, "grace_days": 1}), event)


def test_iof_rates_are_settings_within_the_legal_maximum():
    reply = put({**BODY, "iof": {"daily_rate": 2740, "additional_rate": 0}})
    assert reply.status == 200 and reply.json["iof"] == {"daily_rate": 2740, "additional_rate": 0}
    assert SettingsStore().get("acme").iof_rates().daily == 2740
    refused = put({**BODY, "iof": {"daily_rate": 1_500_001, "additional_rate": 380_000}})
    assert refused.status == 400 and [d["field"] for d in refused.json["error"]["details"]] == [
        "iof.daily_rate"
    ]
