"""The Open Finance mapping: CET by hand, ipocCode, amounts and rates, contract ids, pages and links."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from financing.clock import reset_clock, set_clock
from financing.domain.effective_cost import annual_effective_cost, term_days
from financing.domain.invoices import Financing, Invoice, Payment
from financing.domain.iof import IofRates, iof_on_credit
from financing.domain.lifecycle import Status
from financing.domain.settings import TenantSettings
from financing.families.open_finance import contracts as of
from financing.families.open_finance.pagination import PageRequest, PageSizeTooLarge, links, page_request

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
INVOICE_ID = "inv_01JD5ZB8K6X9Q2W3E4R5T6Y7V8"


@pytest.fixture(autouse=True)
def fixed_clock():
    set_clock(lambda: NOW)
    yield
    reset_clock()


# ------------------------------------------------------------------------------------------------ CET


@pytest.mark.parametrize(
    ("advance", "discount", "days", "expected"),
    [
        # A one-year term: the annual cost is the fee itself.
        (100_000, 2_500, 365, "0.025000"),
        # Two years: sqrt(1.025) - 1 = 0.0124228...
        (100_000, 2_500, 730, "0.012423"),
        # 60 days at 2.5%: 1.025 ** (365/60) - 1; ln 1.025 = 0.0246926, x 6.08333 = 0.150213, e^ = 1.162082.
        (79_200, 1_980, 60, "0.162082"),
        # Half a year at 5%: 1.05 ** 2 - 1 = 0.1025 (365/182.5 is exactly 2).
        (200_000, 10_000, Decimal("182.5"), "0.102500"),
        # No fee, no cost.
        (100_000, 0, 30, "0.000000"),
        # A huge figure is capped at what the field holds.
        (100_000, 10_000, 1, "999999.999999"),
    ],
)
def test_cet_is_the_annual_compounding_of_the_fee_over_the_term(advance, discount, days, expected):
    assert str(annual_effective_cost(advance, discount, days)) == expected


def test_a_contract_disbursed_on_its_due_date_counts_one_day():
    assert term_days(date(2026, 1, 10), date(2026, 1, 10)) == 1
    assert term_days(date(2026, 1, 10), date(2026, 3, 11)) == 60


def test_the_worked_example_iof_on_the_advance_and_the_cet_that_counts_it():
    # Given 88,000.00 discounted at 90% advance (79,200.00) and a 2.5% fee (1,980.00), 60 days to the due
    # date, at the statutory IOF for legal entities (0.0082% a day + 0.38% once)
    iof = iof_on_credit(7_920_000, 60, IofRates())
    # Then the IOF is 79,200.00 x (0.000082 x 60 + 0.0038) = 690.624 -> 690.62
    assert iof == 69_062
    # And the customer receives 78,509.38 and repays 81,180.00: CET = (81180 / 78509.38) ** (365/60) - 1
    assert str(annual_effective_cost(7_920_000, 198_000, 60, iof=iof)) == "0.225676"
    # against 16.2082% for the discount alone
    assert str(annual_effective_cost(7_920_000, 198_000, 60)) == "0.162082"


def test_the_daily_iof_counts_at_most_365_days():
    assert iof_on_credit(100_000, 400, IofRates()) == iof_on_credit(100_000, 365, IofRates()) == 3_373
    assert iof_on_credit(100_000, 30, IofRates(daily=0, additional=0)) == 0


# ------------------------------------------------------------------------------------------ values


def test_amounts_keep_the_currencys_decimals_and_rates_six():
    assert of.amount(7_920_000, "brl") == "79200.00"
    assert of.amount(5, "brl") == "0.05"
    assert of.amount(0, "brl") == "0.00"
    assert of.rate(Decimal("0.15")) == "0.150000"
    assert of.rate(Decimal("0.0000005")) == "0.000001"  # half-up
    assert of.rate(Decimal("12"), Decimal("9.999999")) == "9.999999"
    assert of.rate(of.basis_points(250)) == "0.025000"


def test_the_contract_id_is_the_invoice_id_as_a_uuid_and_back():
    contract = of.contract_id(INVOICE_ID)
    assert len(contract) == 36 and of.invoice_id_of(contract) == INVOICE_ID
    assert of.invoice_id_of(contract.upper()) == INVOICE_ID
    assert of.invoice_id_of("not-a-uuid") is None
    assert of.invoice_id_of(contract.replace("-", "")) is None  # only the canonical form


def test_ipoc_code_for_a_cnpj_and_a_cpf_customer():
    ulid = INVOICE_ID.removeprefix("inv_")
    cnpj = of.ipoc_code("45723174000110", "DESCONTO_DUPLICATAS", "11222333000181", INVOICE_ID)
    assert cnpj == "45723174" + "0301" + "2" + "11222333" + ulid and len(cnpj) == 47
    cpf = of.ipoc_code("45723174000110", "OUTROS_DIREITOS_CREDITORIOS_DESCONTADOS", "52998224725", INVOICE_ID)
    assert cpf == "45723174" + "0398" + "1" + "52998224725" + ulid and len(cpf) == 50


# --------------------------------------------------------------------------------------- the mapping


def invoice(status=Status.FINANCED, payments=()):
    return Invoice(
        id=INVOICE_ID,
        tenant_id="acme",
        supplier="company_a",
        buyer="company_b",
        invoice_number="DUP-1",
        client_reference_id="r",
        invoice_document="doc_x",
        amount=8_800_000,
        currency="brl",
        type_of_goods=["other"],
        issue_date=date(2026, 1, 1),
        due_date=date(2026, 3, 31),
        status=status,
        payments=list(payments),
        financing=Financing(
            advance_rate=9000,
            fee_rate=250,
            first_payment=7_920_000,
            discount=198_000,
            collected=sum(p.amount for p in payments),
            funded_at=datetime(2026, 1, 30, 23, 0, tzinfo=UTC),
            disbursement_date=date(2026, 1, 30),
            customer_document="11222333000181",
            iof_daily_rate=8200,
            iof_additional_rate=380_000,
            iof=69_062,
        ),
        created=NOW,
        updated=NOW,
    )


SETTINGS = TenantSettings(tenant_id="acme", brand_name="Banco Acme", institution_cnpj="45723174000110")


def test_the_contract_reads_the_financing():
    body = of.contract(invoice(), SETTINGS)
    assert body["contractAmount"] == "79200.00" and body["currency"] == "BRL"
    assert body["contractDate"] == "2026-01-30" and body["disbursementDates"] == ["2026-01-30"]
    assert body["productName"] == "Desconto de duplicatas"
    assert body["contractedFinanceCharges"] == [
        {
            "chargeType": "IOF_CONTRATACAO",
            "chargeAdditionalInfo": "0,0082% ao dia (até 365 dias) + 0,38%",
            "chargeRate": "0.008720",  # 690.62 of the 79,200.00 advance
        },
        {
            "chargeType": "JUROS_MORA_ATRASO",
            "chargeAdditionalInfo": "Juros simples ao ano, por dia de atraso",
            "chargeRate": "0.240000",
        },
    ]
    assert "settlementDate" not in body


def test_the_cet_counts_the_iof_and_each_charge_is_shown_once():
    body = of.contract(invoice(), SETTINGS)
    # The CET counts the discount and the IOF withheld from the advance (the worked example)
    assert body["CET"] == "0.225676"
    # The discount is the contract's interest, shown once: as the pre-fixed rate, not also as a fee
    [interest] = body["interestRates"]
    assert interest["preFixedRate"] == "0.162082" and "1980.00" in interest["additionalInfo"]
    assert body["contractedFees"] == []
    # So the rates a consumer adds up (interest + IOF) make the CET, and nothing twice
    charges = [c["chargeType"] for c in body["contractedFinanceCharges"]]
    assert charges.count("IOF_CONTRATACAO") == 1


def test_a_payable_invoice_is_another_discounted_receivable():
    payable = invoice().model_copy(update={"type": "payable"})
    assert of.contract(payable, SETTINGS)["productSubType"] == "OUTROS_DIREITOS_CREDITORIOS_DESCONTADOS"


def test_instalments_are_one_bullet_payment_counted_in_days():
    due = of.instalments(invoice(), date(2026, 3, 1))
    assert (due["totalNumberOfInstalments"], due["contractRemainingNumber"]) == (60, 30)
    assert (due["dueInstalments"], due["pastDueInstalments"], due["paidInstalments"]) == (1, 0, 0)
    late = of.instalments(invoice(Status.OVERDUE), date(2026, 4, 2))
    assert (late["dueInstalments"], late["pastDueInstalments"], late["contractRemainingNumber"]) == (0, 1, 0)


def test_releases_and_the_settlement_date_come_from_the_payments():
    paid = [
        Payment(
            id="pay_01JD5ZB8K6X9Q2W3E4R5T6Y7V9",
            amount=8_000_000,
            paid_date=date(2026, 3, 30),
            reference="a",
            recorded_at=NOW,
        ),
        Payment(
            id="pay_01JD5ZB8K6X9Q2W3E4R5T6Y7VA",
            amount=800_000,
            paid_date=date(2026, 3, 31),
            reference="b",
            recorded_at=NOW,
        ),
    ]
    repaid = invoice(Status.REPAID, paid)
    assert of.contract(repaid, SETTINGS)["settlementDate"] == "2026-03-31"
    # The claim is 81,180.00: of the second payment only 1,180.00 is the contract's, 6,820.00 the rebate.
    assert [r["paidAmount"] for r in of.releases(repaid)] == ["80000.00", "1180.00"]
    assert of.releases(repaid, recorded_by=datetime(2026, 1, 1, tzinfo=UTC)) == []
    assert of.payments(repaid, [])["contractOutstandingBalance"] == "0.00"


def paid(amount, day, recorded=NOW, suffix="B"):
    return Payment(
        id=f"pay_01JD5ZB8K6X9Q2W3E4R5T6Y7V{suffix}",
        amount=amount,
        paid_date=date(2026, 3, day),
        reference=suffix,
        recorded_at=recorded,
    )


def test_payments_include_only_what_settles_the_claim_not_the_suppliers_rebate():
    # Given a claim of 81,180.00 (advance 79,200.00 + discount 1,980.00) on an 88,000.00 invoice, and
    # payments recorded out of paid-date order: 35,000 paid on the 30th, 50,000 paid on the 20th
    payments = [paid(3_500_000, 30, suffix="B"), paid(5_000_000, 20, suffix="C")]
    settled = invoice(Status.FINANCED, payments)
    # Then the earliest payment goes to the claim first, the later one only up to what the claim lacks
    assert [(r["paidDate"], r["paidAmount"]) for r in of.releases(settled)] == [
        ("2026-03-20", "50000.00"),
        ("2026-03-30", "31180.00"),
    ]
    # And the claim settled on the 30th, though the invoice is not fully paid (3,800.00 is the rebate)
    body = of.payments(settled, of.releases(settled))
    assert (body["contractOutstandingBalance"], body["paidInstalments"]) == ("0.00", 1)
    assert of.contract(settled, SETTINGS)["settlementDate"] == "2026-03-30"
    schedule = of.instalments(settled, date(2026, 4, 15))
    assert (schedule["paidInstalments"], schedule["dueInstalments"], schedule["pastDueInstalments"]) == (
        1,
        0,
        0,
    )


def test_a_payment_made_once_the_claim_is_settled_is_no_contract_payment():
    payments = [paid(8_118_000, 20, suffix="B"), paid(682_000, 25, suffix="C")]
    repaid = invoice(Status.REPAID, payments)
    assert [r["paidAmount"] for r in of.releases(repaid)] == ["81180.00"]
    assert of.contract(repaid, SETTINGS)["settlementDate"] == "2026-03-20"


def test_a_partly_paid_claim_is_not_settled():
    partly = invoice(Status.FINANCED, [paid(8_000_000, 20)])
    body = of.payments(partly, of.releases(partly))
    assert (body["contractOutstandingBalance"], body["paidInstalments"]) == ("1180.00", 0)
    assert "settlementDate" not in of.contract(partly, SETTINGS)


# ------------------------------------------------------------------------------------- pages, links


EVENT = {
    "path": "/open-banking/invoice-financings/v2/contracts",
    "headers": {"Host": "abc.execute-api.us-east-1.amazonaws.com", "X-Forwarded-Proto": "https"},
    "queryStringParameters": {"page": "2", "page-size": "10"},
    "requestContext": {"stage": "prod"},
}


def test_links_name_self_and_the_neighbouring_pages():
    request = PageRequest(page=2, size=10, snapshot=NOW, key="k")
    found = links(EVENT, request, pages=3)
    base = "https://abc.execute-api.us-east-1.amazonaws.com/prod/open-banking/invoice-financings/v2/contracts"
    assert found["self"] == base + "?page=2&page-size=10"
    assert found["first"] == base + "?page=1&page-size=10&pagination-key=k"
    assert found["prev"].startswith(base + "?page=1&") and found["next"].startswith(base + "?page=3&")
    assert found["last"] == base + "?page=3&page-size=10&pagination-key=k"
    assert set(links(EVENT, PageRequest(1, 10, NOW, "k"), pages=1)) == {"self"}
    assert set(links(EVENT, PageRequest(3, 10, NOW, "k"), pages=3)) == {"self", "first", "prev"}


@pytest.mark.usefixtures("cursor_key")
def test_a_page_request_checks_the_size_and_resumes_a_snapshot():
    with pytest.raises(PageSizeTooLarge):
        page_request(1, 1001, None, "b")
    first = page_request(1, 1000, None, "b")
    assert first.snapshot == NOW
    set_clock(lambda: datetime(2027, 1, 1, tzinfo=UTC))
    assert page_request(2, 10, first.key, "b").snapshot == NOW
    assert PageRequest(2, 2, NOW, "k").slice([1, 2, 3, 4, 5]) == [3, 4]
