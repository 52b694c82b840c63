"""Open Finance Brasil Invoice Financings v2.3.0 on moto: the five endpoints under a consent, every answer
checked against the official specification (see open_finance_fixtures.read)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from financing import clock
from financing.ids import as_uuid
from tests.integration.harness import call
from tests.integration.open_finance_fixtures import (
    CUSTOMER_CNPJ,
    INSTITUTION_CNPJ,
    INTERACTION_ID,
    OTHER_CNPJ,
    brazilian_company,
    consent,
    errors_of,
    funded_contract,
    institution,
    pay,
    read,
)

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def world():
    """The institution configured; a customer with two funded contracts (one partly repaid), and
    another customer with one."""
    institution()
    customer = brazilian_company("Cliente", CUSTOMER_CNPJ)
    other = brazilian_company("Outro", OTHER_CNPJ)
    buyer = brazilian_company("Sacado", "46866995790200")
    first = funded_contract(customer, buyer, reference="c-1")
    second = funded_contract(customer, buyer, reference="c-2", amount=10000, days=30)
    pay(first["id"], 50000, "w1")
    pay(first["id"], 1000.5, "w2")
    foreign = funded_contract(other, buyer, reference="o-1")
    return {"first": first, "second": second, "foreign": foreign, "consent": consent(), "buyer": buyer}


def cid(invoice):
    return str(as_uuid(invoice["id"]))


def test_the_list_shows_only_the_customers_contracts_newest_funding_first(world):
    reply = read(world["consent"])
    assert reply.status == 200
    assert reply.headers["x-fapi-interaction-id"] == INTERACTION_ID
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    assert [c["contractId"] for c in reply.json["data"]] == [cid(world["second"]), cid(world["first"])]
    item = reply.json["data"][1]
    assert item == {
        "contractId": cid(world["first"]),
        "brandName": "Banco Acme",
        "companyCnpj": INSTITUTION_CNPJ,
        "productType": "DIREITOS_CREDITORIOS_DESCONTADOS",
        "productSubType": "DESCONTO_DUPLICATAS",
        "ipocCode": "45723174" + "0301" + "2" + "11222333" + world["first"]["id"].removeprefix("inv_"),
    }
    meta = reply.json["meta"]
    assert (meta["totalRecords"], meta["totalPages"]) == (2, 1)
    assert set(reply.json["links"]) == {"self"}


def test_the_contract_maps_the_funded_invoice(world):
    reply = read(world["consent"], cid(world["first"]))
    assert reply.status == 200
    data = reply.json["data"]
    today = clock.today().isoformat()
    assert data["contractNumber"] == "DUP-c-1"
    assert data["contractAmount"] == "79200.00"  # 90% of 88,000.00
    assert data["currency"] == "BRL"
    assert data["contractDate"] == today and data["disbursementDates"] == [today]
    assert data["dueDate"] == (clock.today() + timedelta(days=60)).isoformat()
    # The IOF withheld at the statutory rates: 79,200.00 x (0.000082 x 60 + 0.0038) = 690.62, so the
    # customer receives 78,509.38 for 81,180.00 in 60 days: (81180 / 78509.38) ** (365/60) - 1
    assert data["CET"] == "0.225676"
    # The discount is shown once, as the interest: (1 + 1980/79200) ** (365/60) - 1; no fee repeats it
    assert data["interestRates"][0]["preFixedRate"] == "0.162082"
    assert data["contractedFees"] == []
    iof, late = data["contractedFinanceCharges"]
    assert iof == {
        "chargeType": "IOF_CONTRATACAO",
        "chargeAdditionalInfo": "0,0082% ao dia (até 365 dias) + 0,38%",
        "chargeRate": "0.008720",
    }
    assert late["chargeRate"] == "0.240000"
    assert "settlementDate" not in data  # not repaid yet


def test_warranties_instalments_and_payments(world):
    contract = cid(world["first"])
    warranties = read(world["consent"], contract, "warranties").json
    assert warranties["data"] == [
        {
            "currency": "BRL",
            "warrantyType": "CESSAO_DIREITOS_CREDITORIOS",
            "warrantySubType": "DUPLICATAS",
            "warrantyAmount": "88000.00",
        }
    ]
    schedule = read(world["consent"], contract, "scheduled-instalments").json["data"]
    assert schedule["typeNumberOfInstalments"] == "DIA" and schedule["totalNumberOfInstalments"] == 60
    assert (schedule["dueInstalments"], schedule["paidInstalments"], schedule["pastDueInstalments"]) == (
        1,
        0,
        0,
    )
    assert schedule["balloonPayments"][0]["amount"] == {"amount": "81180.00", "currency": "BRL"}
    payments = read(world["consent"], contract, "payments").json
    assert [r["paidAmount"] for r in payments["data"]["releases"]] == ["50000.00", "1000.50"]
    # The lender's claim 79,200 + 1,980 less the 51,000.50 collected.
    assert payments["data"]["contractOutstandingBalance"] == "30179.50"
    assert payments["meta"]["totalRecords"] == 2


def test_a_repaid_contract_has_its_settlement_date_and_nothing_outstanding(world):
    pay(world["second"]["id"], 10000, "all")
    data = read(world["consent"], cid(world["second"])).json["data"]
    assert data["settlementDate"] == clock.today().isoformat()
    payments = read(world["consent"], cid(world["second"]), "payments").json["data"]
    assert payments["contractOutstandingBalance"] == "0.00" and payments["paidInstalments"] == 1


def test_payments_report_what_settles_the_claim_and_a_settled_claim_settles_the_contract(world):
    # Given the first contract's claim of 81,180.00 and 51,000.50 already paid by the buyer
    contract = cid(world["first"])
    # When the buyer pays 35,000.00 more (86,000.50 of the 88,000.00 invoice: not fully paid)
    pay(world["first"]["id"], 35000, "w3")
    # Then only the 30,179.50 the claim lacked is a contract payment; the rest is the supplier's rebate
    payments = read(world["consent"], contract, "payments").json["data"]
    assert [r["paidAmount"] for r in payments["releases"]] == ["50000.00", "1000.50", "30179.50"]
    assert (payments["contractOutstandingBalance"], payments["paidInstalments"]) == ("0.00", 1)
    # And the contract is settled today, its one instalment paid
    assert read(world["consent"], contract).json["data"]["settlementDate"] == clock.today().isoformat()
    schedule = read(world["consent"], contract, "scheduled-instalments").json["data"]
    assert (schedule["paidInstalments"], schedule["dueInstalments"], schedule["contractRemainingNumber"]) == (
        1,
        0,
        0,
    )


def test_pagination_pages_the_list_and_the_releases_with_links(world):
    first_page = read(world["consent"], query={"page-size": "1"}).json
    assert len(first_page["data"]) == 1 and first_page["meta"]["totalPages"] == 2
    links = first_page["links"]
    assert set(links) == {"self", "next", "last"} and "page=2" in links["next"]
    key = links["next"].split("pagination-key=")[1]
    second_page = read(world["consent"], query={"page": "2", "page-size": "1", "pagination-key": key}).json
    assert set(second_page["links"]) == {"self", "first", "prev"}
    assert second_page["data"][0]["contractId"] == cid(world["first"])
    releases = read(
        world["consent"], cid(world["first"]), "payments", query={"page": "2", "page-size": "1"}
    ).json
    assert [r["paidAmount"] for r in releases["data"]["releases"]] == ["1000.50"]
    assert releases["meta"] == {**releases["meta"], "totalRecords": 2, "totalPages": 2}


def test_a_pagination_key_keeps_its_snapshot_and_cannot_be_forged(world):
    key = read(world["consent"], query={"page-size": "1"}).json["links"]["next"].split("pagination-key=")[1]
    customer = brazilian_company("Cliente 2", CUSTOMER_CNPJ)
    funded_contract(customer, brazilian_company("Sacado 2", OTHER_CNPJ), reference="c-3")
    again = read(world["consent"], query={"page": "1", "page-size": "1", "pagination-key": key}).json
    assert again["meta"]["totalRecords"] == 2  # the snapshot, not the new contract
    assert read(world["consent"]).json["meta"]["totalRecords"] == 3
    forged = read(world["consent"], query={"pagination-key": key[:-2] + "xx"})
    assert forged.status == 400


def test_a_contract_funded_later_in_the_same_second_stays_out_of_the_snapshot(world):
    # Given a listing taken at 12:00:00.300
    start = datetime.now(UTC).replace(microsecond=300_000) + timedelta(seconds=2)
    clock.set_clock(lambda: start)
    try:
        key = (
            read(world["consent"], query={"page-size": "1"}).json["links"]["next"].split("pagination-key=")[1]
        )
        # When another contract is funded at 12:00:00.700, within the same second
        clock.set_clock(lambda: start.replace(microsecond=700_000))
        funded_contract(brazilian_company("Cliente 3", CUSTOMER_CNPJ), world["buyer"], reference="c-4")
        # Then the listing resumed from its key still shows only what existed at 12:00:00.300
        again = read(world["consent"], query={"page": "1", "page-size": "1", "pagination-key": key}).json
        assert again["meta"]["totalRecords"] == 2
    finally:
        clock.reset_clock()


@pytest.mark.parametrize(
    ("query", "status"),
    [({"page-size": "1001"}, 422), ({"page-size": "0"}, 400), ({"page": "0"}, 400), ({"page": "x"}, 400)],
)
def test_bad_paging_is_refused(world, query, status):
    reply = read(world["consent"], query=query)
    assert reply.status == status and errors_of(reply)[0]["code"]


def test_another_customers_contract_is_404_and_an_unknown_one_too(world):
    assert read(world["consent"], cid(world["foreign"])).status == 404
    assert read(world["consent"], cid(world["foreign"]), "payments").status == 404
    assert read(world["consent"], str(uuid.uuid4())).status == 404
    assert read(world["consent"], "not-a-uuid").status == 404
    other = consent(OTHER_CNPJ)
    assert [c["contractId"] for c in read(other).json["data"]] == [cid(world["foreign"])]


@pytest.mark.parametrize("currency", ["usd", "eur"])
def test_a_non_brl_contract_is_not_shared_like_an_unknown_one(world, currency):
    # Given the customer's invoice in another currency than Brazil's, funded
    buyer = brazilian_company(f"Sacado {currency}", "46866995790200")
    foreign_money = funded_contract(
        brazilian_company("Cliente", CUSTOMER_CNPJ), buyer, reference=f"fx-{currency}", currency=currency
    )
    # Then the list leaves it out and every endpoint answers 404 as for an unknown contract
    listed = [c["contractId"] for c in read(world["consent"]).json["data"]]
    assert listed == [cid(world["second"]), cid(world["first"])]
    for part in ("", "warranties", "scheduled-instalments", "payments"):
        reply = read(world["consent"], cid(foreign_money), part)
        assert reply.status == 404 and errors_of(reply)[0]["code"] == "NOT_FOUND", part


def test_another_tenants_consent_sees_nothing(world):
    assert read(world["consent"], tenant="globex").status == 403  # no such consent there
    institution("globex")
    theirs = consent(tenant="globex")
    assert read(theirs, tenant="globex").json["data"] == []
    assert read(theirs, cid(world["first"]), tenant="globex").status == 404


@pytest.mark.parametrize(
    ("permission", "part"),
    [
        ("INVOICE_FINANCINGS_READ", "warranties"),
        ("INVOICE_FINANCINGS_READ", "scheduled-instalments"),
        ("INVOICE_FINANCINGS_READ", "payments"),
        ("INVOICE_FINANCINGS_PAYMENTS_READ", ""),
    ],
)
def test_each_endpoint_needs_its_permission(world, permission, part):
    narrow = consent(permissions=[permission])
    reply = read(narrow, cid(world["first"]), part)
    assert reply.status == 403 and errors_of(reply)[0]["code"] == "FORBIDDEN"


def test_a_revoked_consent_is_refused_at_once_and_an_expired_one_too(world):
    assert read(world["consent"]).status == 200
    path = f"/v1/open_finance/consents/{world['consent']}"
    revoked = call(
        "revoke_consent",
        "DELETE",
        path,
        resource="/v1/open_finance/consents/{consent_id}",
        path_parameters={"consent_id": world["consent"]},
        scope="consents:manage",
    )
    assert revoked.status == 200
    reply = read(world["consent"], cid(world["first"]))
    assert reply.status == 403 and "revoked" in errors_of(reply)[0]["detail"]
    fresh = consent()
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(days=31))
    try:
        assert "expired" in errors_of(read(fresh))[0]["detail"]
    finally:
        clock.reset_clock()


def test_tokens_without_consent_or_scope_and_unknown_consents_are_403(world):
    assert read(None).status == 403
    assert read("consent_01JD0000000000000000000000").status == 403
    assert read(world["consent"], scope="invoices:read").status == 403


def test_the_interaction_id_is_required_and_a_generated_one_answers_its_absence(world):
    missing = read(world["consent"], headers={"x-fapi-interaction-id": None})
    assert missing.status == 400
    generated = missing.headers["x-fapi-interaction-id"]
    assert str(uuid.UUID(generated)) == generated
    invalid = read(world["consent"], headers={"x-fapi-interaction-id": "not-a-uuid"})
    assert invalid.status == 400 and invalid.headers["x-fapi-interaction-id"] != "not-a-uuid"


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/xml", 406),
        ("text/html, application/json;q=0", 406),
        ("application/json", 200),
        ("*/*", 200),
        ("text/html, application/*;q=0.5", 200),
    ],
)
def test_an_accept_header_excluding_json_is_406(world, accept, status):
    assert read(world["consent"], headers={"Accept": accept}).status == status


def test_an_institution_without_brand_or_cnpj_is_a_500_saying_so():
    theirs = consent()
    reply = read(theirs)
    assert reply.status == 500 and "brand_name" in errors_of(reply)[0]["detail"]


def test_each_request_costs_few_dynamodb_calls_and_reads_the_consent_every_time(world):
    from financing.adapters.aws import client

    calls = []
    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name), unique_id="count")
    try:
        read(world["consent"])
        assert calls == ["BatchGetItem", "Query"]
        for part in ("", "warranties", "scheduled-instalments", "payments"):
            calls.clear()
            read(world["consent"], cid(world["first"]), part)
            assert calls == ["BatchGetItem"], part
    finally:
        events.unregister("before-call.dynamodb.*", unique_id="count")
