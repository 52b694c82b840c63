"""The receivables registry through its handlers and worker on moto: 202, outcomes, events, retries."""

import pytest

from financing.config import settings
from tests.integration.harness import call
from tests.integration.receivable_fixtures import deliver, outbox_events, receivable

pytestmark = pytest.mark.usefixtures("aws")
WRITE = "credit-rights:write credit-rights:read"


def post(body, tenant="acme", **kwargs):
    return call(
        "create_credit_right", "POST", "/v1/credit-rights", body=body, tenant=tenant, scope=WRITE, **kwargs
    )


def get(internal_number, tenant="acme"):
    return call(
        "get_credit_right",
        "GET",
        f"/v1/credit-rights/{internal_number}",
        resource="/v1/credit-rights/{internal_number}",
        path_parameters={"internal_number": internal_number},
        tenant=tenant,
        scope=WRITE,
    )


def requested(tenant="acme"):
    return [e for e in outbox_events("credit_rights.registration_requested") if e["tenant_id"] == tenant]


def test_a_valid_receivable_is_accepted_pending_and_queued_through_the_outbox():
    body = receivable()
    reply = post(body, headers={"x-correlation-id": "corr-9"})
    assert reply.status == 202 and reply.json["recorder_account"] == 12345678 and reply.json["message"]
    assert get(body["internal_number"]).json["status"] == "PENDING"
    [event] = requested()
    assert (
        event["correlation_id"] == "corr-9" and event["object"]["internal_number"] == body["internal_number"]
    )


def test_the_registrar_confirms_and_success_is_announced_with_pismos_fields():
    body = receivable()
    post(body)
    [event] = requested()
    assert deliver("credit_rights.registration_requested", event) == {"batchItemFailures": []}
    current = get(body["internal_number"]).json
    assert (
        current["status"] == "CONFIRMED"
        and current["registrar_reference"].startswith("B3")
        and current["attempts"] == 1
    )
    [success] = outbox_events("credit_rights_registration_success-1")
    fields = success["object"]
    assert fields["internal_number"] == body["internal_number"] and fields["holding_number"] == "1234.8"
    assert (
        fields["interop_holding_number"] == current["registrar_reference"] and success["tenant_id"] == "acme"
    )
    assert deliver("credit_rights.registration_requested", event) == {
        "batchItemFailures": []
    }  # delivered twice
    assert len(outbox_events("credit_rights_registration_success-1")) == 1


def test_a_receivable_registered_by_another_lender_is_rejected_as_already_registered():
    shared = {"debtor_document_number": "52998224725", "holding_number": "77.1"}
    post(receivable(**shared), tenant="acme")
    deliver("credit_rights.registration_requested", requested("acme")[0])
    other = receivable(**shared)
    post(other, tenant="globex")
    deliver("credit_rights.registration_requested", requested("globex")[0])
    assert get(other["internal_number"], tenant="globex").json["status"] == "REJECTED"
    [failure] = outbox_events("credit_rights_registration_failure-1")
    assert "already registered" in failure["object"]["message"] and failure["object"]["invoice_number"] == 88


def test_transient_failures_are_retried_and_the_receivable_registers_once(monkeypatch):
    body = receivable()
    post(body)
    [event] = requested()
    monkeypatch.setenv("REGISTRAR_FAILURE_RATE", "1")
    settings.cache_clear()
    result = deliver("credit_rights.registration_requested", event)
    assert len(result["batchItemFailures"]) == 1
    pending = get(body["internal_number"]).json
    assert (
        pending["status"] == "PENDING" and pending["attempts"] == 1 and "unavailable" in pending["last_error"]
    )
    monkeypatch.setenv("REGISTRAR_FAILURE_RATE", "0")
    settings.cache_clear()
    assert deliver("credit_rights.registration_requested", event, receive_count=2) == {
        "batchItemFailures": []
    }
    done = get(body["internal_number"]).json
    assert done["status"] == "CONFIRMED" and done["attempts"] == 2 and done["last_error"] is None


def test_the_same_internal_number_twice_is_409_and_the_first_is_untouched():
    body = receivable()
    post(body)
    reply = post({**body, "face_value": 1})
    assert reply.status == 409 and reply.json["correlationId"] and reply.json["errors"]
    assert get(body["internal_number"]).json["request"]["face_value"] == 499.23


def test_every_problem_is_listed_in_pismos_envelope_and_nothing_is_stored():
    reply = post(
        receivable(ibge_code=123, payment_method=9, debtor_document_number="51407165000113", colour="red")
    )
    assert reply.status == 400
    assert set(reply.json) == {"correlationId", "errors"}
    fields = {problem.split(":")[0] for problem in reply.json["errors"]}
    assert {"ibge_code", "payment_method", "debtor_document_number", "colour"} <= fields, reply.json
    assert requested() == []


def test_malformed_json_and_non_objects_are_400_in_pismos_envelope():
    assert call("create_credit_right", "POST", "/v1/credit-rights", raw_body="{", scope=WRITE).json["errors"]
    reply = post([1, 2])
    assert reply.status == 400 and reply.json["errors"]


def test_reading_needs_the_scope_and_sees_only_the_tenants_receivables():
    body = receivable()
    post(body)
    assert get(body["internal_number"], tenant="globex").status == 404
    denied = call(
        "get_credit_right",
        "GET",
        f"/v1/credit-rights/{body['internal_number']}",
        resource="/v1/credit-rights/{internal_number}",
        path_parameters={"internal_number": body["internal_number"]},
        scope="invoices:read",
    )
    assert denied.status == 403 and denied.json["errors"]


def test_inactivation_of_a_confirmed_receivable():
    body = receivable()
    post(body)
    deliver("credit_rights.registration_requested", requested()[0])
    path = f"/v1/credit-rights/{body['internal_number']}"
    reply = call(
        "delete_credit_right",
        "DELETE",
        path,
        resource="/v1/credit-rights/{internal_number}",
        path_parameters={"internal_number": body["internal_number"]},
        scope=WRITE,
    )
    assert reply.status == 202
    [asked] = outbox_events("credit_rights.inactivation_requested")
    assert deliver("credit_rights.inactivation_requested", asked) == {"batchItemFailures": []}
    assert get(body["internal_number"]).json["status"] == "INACTIVATED"
    assert len(outbox_events("credit_rights_status_change_success-1")) == 1
    again = call(
        "delete_credit_right",
        "DELETE",
        path,
        resource="/v1/credit-rights/{internal_number}",
        path_parameters={"internal_number": body["internal_number"]},
        scope=WRITE,
    )
    assert again.status == 409


def test_a_brl_invoice_referencing_a_receivable_is_funded_only_once_it_is_confirmed():
    from tests.integration.invoice_fixtures import act, approve_limit, company, draft_body, uploaded_document

    body = receivable()
    post(body)
    supplier, buyer, document = company("Fornecedora"), company("Compradora"), uploaded_document()
    approve_limit(buyer["id"], 10_000_000, currency="brl")
    invoice = call(
        "create_invoice",
        "POST",
        "/v1/invoices",
        body=draft_body(
            supplier, buyer, document, currency="brl", credit_rights_internal_number=body["internal_number"]
        ),
    ).json
    assert invoice["credit_rights_internal_number"] == body["internal_number"]
    usd = call(
        "create_invoice",
        "POST",
        "/v1/invoices",
        body=draft_body(
            supplier, buyer, document, client_reference_id="usd-1", credit_rights_internal_number="x"
        ),
    )
    assert usd.status == 400 and usd.json["error"]["details"][0]["field"] == "credit_rights_internal_number"
    act("submit_invoice", "submit", invoice["id"])
    act("request_invoice_signatures", "request_signatures", invoice["id"])
    act(
        "sign_invoice", "sign", invoice["id"], {"party": "supplier", "contact": supplier["contacts"][0]["id"]}
    )
    act("sign_invoice", "sign", invoice["id"], {"party": "buyer", "contact": buyer["contacts"][0]["id"]})
    refused = act("fund_invoice", "fund", invoice["id"], {})
    assert refused.status == 409 and refused.json["error"]["code"] == "receivable_not_confirmed"
    deliver("credit_rights.registration_requested", requested()[0])
    funded = act("fund_invoice", "fund", invoice["id"], {})
    assert funded.status == 200 and funded.json["status"] == "financed"
