"""The events' published contract: one schema per event type, generated from the models that build the events,
checked by validators we did not write (jsonschema, the official AsyncAPI 3.0 JSON Schema)."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft4Validator, Draft7Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from financing import exact_json
from financing.domain import companies, credit_rights
from financing.domain.companies import register_company
from financing.domain.credit_rights import Receivable
from financing.domain.event_catalogue import EVENT_TYPES
from financing.families import events
from financing.families.core.companies import company_object
from financing.families.pismo.events import ReceivableFields
from local import bus_schemas, event_docs
from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = ROOT / "tests" / "contracts" / "asyncapi" / "asyncapi-3.0.0.schema.json"


def published(event_type: str) -> dict:
    return json.loads((ROOT / "docs" / "events" / f"{event_type}.json").read_text())


def validator(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(published(event_type), format_checker=Draft202012Validator.FORMAT_CHECKER)


# ------------------------------------------------------------------------------------ one source


def test_the_event_documents_and_the_template_registry_are_what_the_models_generate():
    assert event_docs.stale_files() == [], "run `make events-docs`"


def test_every_catalogued_event_type_has_exactly_one_published_schema():
    files = {path.name.removesuffix(".json") for path in (ROOT / "docs" / "events").glob("*.json")}
    assert files == set(EVENT_TYPES) == set(events.KINDS)


def test_each_event_name_is_written_once_in_the_product_code():
    sources = [*ROOT.glob("layers/**/*.py"), *ROOT.glob("functions/**/*.py")]
    text = "\n".join(path.read_text() for path in sources)
    for name in EVENT_TYPES:
        assert text.count(f'"{name}"') <= 1, f"{name} is spelled out more than once: use its domain constant"


def test_an_event_is_built_only_from_its_own_object_model():
    company = register_company(
        tenant_id="acme",
        name="Acme Ltd",
        address={"country_code": "GB"},
        website=None,
        tax_id=None,
        contacts=[],
    )
    with pytest.raises(TypeError):
        events.announce(companies.CREATED, tenant_id="acme", correlation_id="c", obj=object())  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        events.announce("company.renamed", tenant_id="acme", correlation_id="c", obj=company_object(company))
    event = events.announce(
        companies.CREATED, tenant_id="acme", correlation_id="c", obj=company_object(company)
    )
    assert event.detail["schema_version"] == events.SCHEMA_VERSION
    assert validator(companies.CREATED).is_valid(_delivered(companies.CREATED, event.detail))


# ------------------------------------------------------------------------------ the JSON Schemas


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_each_schema_is_draft_2020_12_names_its_version_and_accepts_its_example(event_type):
    schema = published(event_type)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    example = event_docs.example(event_type)
    validator(event_type).validate(example)
    assert example["detail-type"] == event_type == example["detail"]["type"]
    assert example["detail"]["schema_version"] == events.SCHEMA_VERSION
    detail = schema["$defs"][schema["properties"]["detail"]["$ref"].rsplit("/", 1)[-1]]
    assert "schema_version" in detail["required"] and detail["properties"]["schema_version"]["const"] == 1


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda e: e["detail"].pop("schema_version"), "detail"),
        (lambda e: e["detail"].update(schema_version=2), "detail/schema_version"),
        (lambda e: e["detail"]["object"].update(amount="12500.00"), "detail/object/amount"),
        (lambda e: e["detail"]["object"].update(status=None), "detail/object/status"),
        (lambda e: e.update(source="somebody-else"), "source"),
        (lambda e: e["detail"].update(created="yesterday"), "detail/created"),
    ],
)
def test_a_schema_refuses_an_event_that_breaks_it(change, where):
    event = event_docs.example("invoice.financed")
    change(event)
    errors = list(validator("invoice.financed").iter_errors(event))
    assert errors and any("/".join(map(str, error.absolute_path)) == where for error in errors)


def test_a_field_added_within_a_version_does_not_break_the_published_schema():
    event = event_docs.example("invoice.financed")
    event["detail"]["added_later"] = "a subscriber ignores what it does not know"
    event["detail"]["object"]["financing"]["added_later"] = 1
    assert validator("invoice.financed").is_valid(event)


# A plain reference model of the face value a subscriber reads: the integer centavos, exactly, as reais.
@given(
    centavos=st.integers(min_value=1, max_value=10**15 - 1),
    reference=st.none() | st.text(min_size=1, max_size=20),
)
def test_a_receivable_event_carries_its_face_value_exactly_as_a_json_number(centavos, reference):
    request = {
        "credit_rights_receivable_type": 1,
        "debtor_document_number": "11222333000181",
        "debtor_name": "Comercial Paulista Ltda",
        "holding_number": "4821.1",
        "ibge_code": 3550308,
        "face_value": "ignored: the stored centavos are the truth",
    }
    receivable = Receivable(
        tenant_id="acme",
        internal_number="CR-1",
        request=request,
        face_value=centavos,
        registrar_reference=reference,
        created="2026-03-02T10:15:00Z",
        updated="2026-03-02T10:15:00Z",
    )
    event = events.announce(
        credit_rights.SUCCESS, tenant_id="acme", correlation_id="c", obj=ReceivableFields.of(receivable)
    )
    text = exact_json.dumps(event.detail)
    read = json.loads(text, parse_float=Decimal)
    assert read["object"]["face_value"] == Decimal(centavos) / 100
    assert validator(credit_rights.SUCCESS).is_valid(_delivered(credit_rights.SUCCESS, json.loads(text)))


def _delivered(event_type: str, detail: dict) -> dict:
    entry = {"Source": "invoice-financing", "DetailType": event_type, "Detail": exact_json.dumps(detail)}
    return bus_schemas.delivered(entry, "123456789012", "us-east-1")


# ------------------------------------------------------------------------------------ the bus check


def test_the_bus_check_passes_a_valid_event_and_ignores_other_sources():
    detail = event_docs.example("invoice.repaid")["detail"]
    entry = {
        "Source": "invoice-financing",
        "DetailType": "invoice.repaid",
        "Detail": exact_json.dumps(detail),
    }
    assert bus_schemas.problems(entry, "123456789012", "us-east-1") == []
    other = {"Source": "my-app", "DetailType": "anything", "Detail": "{}"}
    assert bus_schemas.problems(other, "123456789012", "us-east-1") == []


def test_the_bus_check_reports_an_event_type_without_a_schema_and_a_broken_detail():
    unknown = {"Source": "invoice-financing", "DetailType": "invoice.teleported", "Detail": "{}"}
    (problem,) = bus_schemas.problems(unknown, "123456789012", "us-east-1")
    assert "invoice.teleported" in problem and "no schema" in problem
    detail = {**event_docs.example("invoice.repaid")["detail"], "tenant_id": 7}
    broken = {
        "Source": "invoice-financing",
        "DetailType": "invoice.repaid",
        "Detail": exact_json.dumps(detail),
    }
    (problem,) = bus_schemas.problems(broken, "123456789012", "us-east-1")
    assert "detail/tenant_id" in problem


def test_the_bus_check_sees_what_moto_receives():
    import boto3
    from moto import mock_aws

    reported: list[str] = []
    with bus_schemas.checking(reported.append), mock_aws():
        client = boto3.client("events", region_name="us-east-1")
        client.put_events(
            Entries=[
                {"Source": "invoice-financing", "DetailType": "invoice.teleported", "Detail": '{"a": 1}'},
                {
                    "Source": "invoice-financing",
                    "DetailType": "invoice.repaid",
                    "Detail": exact_json.dumps(event_docs.example("invoice.repaid")["detail"]),
                },
            ]
        )
    assert len(reported) == 1 and reported[0].startswith("invoice.teleported")


# ------------------------------------------------------------------------------------- AsyncAPI


def asyncapi() -> dict:
    return json.loads((ROOT / "docs" / "asyncapi.json").read_text())


def test_the_asyncapi_document_is_valid_against_the_official_asyncapi_3_schema():
    official = json.loads(ASYNCAPI_SCHEMA.read_text())
    Draft7Validator.check_schema(official)
    errors = sorted(Draft7Validator(official).iter_errors(asyncapi()), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]
    # The checker is not lenient: a document without its version or with a misspelt action is refused.
    assert not Draft7Validator(official).is_valid({**asyncapi(), "asyncapi": "3.0.9"})
    broken = asyncapi()
    next(iter(broken["operations"].values()))["action"] = "publish"
    assert not Draft7Validator(official).is_valid(broken)


def test_the_asyncapi_document_has_a_channel_an_operation_and_a_valid_example_per_event_type():
    document = asyncapi()
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == set(EVENT_TYPES)
    sent = {op["channel"]["$ref"] for op in document["operations"].values() if op["action"] == "send"}
    assert sent == {f"#/channels/{key}" for key in document["channels"]}
    registry = Registry().with_resource("urn:asyncapi", Resource(contents=document, specification=DRAFT7))
    for message in document["components"]["messages"].values():
        (example,) = message["examples"]
        payload = {"$ref": "urn:asyncapi" + message["payload"]["$ref"]}
        Draft7Validator(payload, registry=registry).validate(example["payload"])
        assert example["payload"]["detail-type"] == message["name"]


# --------------------------------------------------------------------------------- schema registry


def test_the_template_declares_a_registry_with_one_draft_4_schema_per_event_type():
    resources = load_template()["Resources"]
    registries = [r for r in resources.values() if r["Type"] == "AWS::EventSchemas::Registry"]
    schemas = {
        r["Properties"]["SchemaName"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::EventSchemas::Schema"
    }
    assert len(registries) == 1
    assert set(schemas) == {f"invoice-financing@{name}" for name in EVENT_TYPES}
    for name, props in schemas.items():
        assert re.fullmatch(r"[a-zA-Z0-9\-_.@]{1,385}", name)
        assert props["Type"] == "JSONSchemaDraft4"
        content = json.loads(props["Content"])
        Draft4Validator.check_schema(content)
        Draft4Validator(content).validate(event_docs.example(name.removeprefix("invoice-financing@")))
        assert not Draft4Validator(content).is_valid({"detail-type": "x"})
