"""How a financed invoice reads as an Open Finance Brasil invoice-financing contract (v2.3.0).

The mapping, written down once (the README has it as a table):

  contractId             the invoice id's 128 bits as a UUID (ids.as_uuid)
  brandName, companyCnpj the tenant's settings: brand_name, institution_cnpj
  productType            DIREITOS_CREDITORIOS_DESCONTADOS
  productSubType         DESCONTO_DUPLICATAS; a payable invoice (the buyer's side) is
                         OUTROS_DIREITOS_CREDITORIOS_DESCONTADOS
  ipocCode               institution CNPJ root (8) + modality (4, SCR: 03 + sub type) + customer type
                         (1 = CPF, 2 = CNPJ) + customer code (CPF 11 or CNPJ root 8) + contract code
                         (the invoice's 26-character ULID): 47 or 50 characters
  contractNumber         the invoice number
  contractDate           the funding date (financing.funded_at, UTC)
  disbursementDates      [the funding's disbursement date]
  settlementDate         the day the lender's claim (advance + discount + late fees) was paid in full
  contractAmount         the principal: the advance (books.advanced)
  dueDate, firstInstalmentDueDate   the invoice's due date
  CET                    domain.effective_cost: ((advance + discount) / (advance - IOF)) ** (365 / term
                         days) - 1: the discount and the IOF withheld at funding (domain.iof)
  interestRates          the discount, once: an effective, compound, annual pre-fixed rate
                         ((1 + discount / advance) ** (365 / days) - 1, capped at 99.999999) on actual
                         days / 365; its amount and share of the advance in additionalInfo
  contractedFees         none: the discount is the interest above, so no rate is shown twice
  contractedFinanceCharges  the IOF withheld at funding (IOF_CONTRATACAO: IOF / advance, the rates in
                         chargeAdditionalInfo); late interest (JUROS_MORA_ATRASO) at the tenant's annual
                         late fee rate
  warranties             the discounted receivable itself: CESSAO_DIREITOS_CREDITORIOS / DUPLICATAS,
                         the invoice amount
  scheduled instalments  one bullet payment at the due date, counted in days (DIA): the term, what
                         remains of it, and whether the one instalment is paid, due or past due
  payments               what each buyer payment paid of the claim (domain.claim: payments go to the
                         claim first, in paid-date order; the rest is the supplier's rebate, not a
                         contract payment: books.claim_releases); contractOutstandingBalance is the
                         core repayment_outstanding (books.claim_outstanding: advance + discount + late
                         fees within headroom not yet paid); paidInstalments is 1 once the claim is settled

Every amount is the ledger's (domain.books); the rates (CET, the discount rate, the charges' rates) are
computed from the pricing terms and the warranty is the invoice amount, a term.

Amounts are strings with the currency's decimals ("1000.00"), from integer minor units via Decimal;
rates are fractions with six decimals ("0.150000" = 15%).
"""

import uuid
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from financing.domain import books
from financing.domain.claim import settled_on
from financing.domain.effective_cost import annual_effective_cost, term_days
from financing.domain.invoices import Invoice, InvoiceType
from financing.domain.iof import MAX_DAYS as IOF_MAX_DAYS
from financing.domain.iof import RATE_SCALE
from financing.domain.money import BASIS, to_major
from financing.domain.settings import TenantSettings
from financing.ids import as_uuid, from_uuid

PRODUCT_TYPE = "DIREITOS_CREDITORIOS_DESCONTADOS"
# Sub type -> (SCR modality code: 03 discounted receivables + sub modality, product name shown to the customer)
SUB_TYPES = {
    "DESCONTO_DUPLICATAS": ("0301", "Desconto de duplicatas"),
    "OUTROS_DIREITOS_CREDITORIOS_DESCONTADOS": ("0398", "Outros direitos creditórios descontados"),
}
MAX_PRE_FIXED_RATE = Decimal("99.999999")
MAX_CHARGE_RATE = Decimal("9.999999")
SIX_DECIMALS = Decimal("0.000001")


# ------------------------------------------------------------------------------------------ values


def amount(minor: int, currency: str) -> str:
    """Integer minor units as Open Finance's amount string: "1000.00"."""
    return f"{to_major(minor, currency):f}"


def rate(value: Decimal, cap: Decimal | None = None) -> str:
    """A fraction as Open Finance's rate string with six decimals: Decimal("0.15") -> "0.150000"."""
    if cap is not None:
        value = min(value, cap)
    return f"{value.quantize(SIX_DECIMALS, rounding=ROUND_HALF_UP):f}"


def basis_points(value: int) -> Decimal:
    return Decimal(value) / BASIS


def contract_id(invoice_id: str) -> str:
    return str(as_uuid(invoice_id))


def invoice_id_of(contract: str) -> str | None:
    """The invoice id behind a contractId, or None when it is not one of ours (a canonical UUID)."""
    try:
        value = uuid.UUID(contract)
    except ValueError:
        return None
    return from_uuid("inv", value) if str(value) == contract.lower() else None


def sub_type(invoice_type: InvoiceType | str) -> str:
    return (
        "OUTROS_DIREITOS_CREDITORIOS_DESCONTADOS"
        if invoice_type == InvoiceType.PAYABLE
        else "DESCONTO_DUPLICATAS"
    )


def ipoc_code(institution_cnpj: str, product_sub_type: str, customer_document: str, invoice_id: str) -> str:
    """IPOC (DOC 3040): institution CNPJ root, modality, customer type, customer code, contract code."""
    modality, _ = SUB_TYPES[product_sub_type]
    # A CPF (natural person, type 1) in full; a CNPJ (legal entity, type 2) by its 8-digit root.
    customer = "1" + customer_document if len(customer_document) == 11 else "2" + customer_document[:8]
    return institution_cnpj[:8] + modality + customer + invoice_id.partition("_")[2]


# ---------------------------------------------------------------------------------------- contracts


def contract_summary(
    invoice_id: str, invoice_type: str, customer_document: str, settings: TenantSettings
) -> dict:
    """One item of the contract list (InvoiceFinancingsContractData)."""
    kind = sub_type(invoice_type)
    return {
        "contractId": contract_id(invoice_id),
        "brandName": settings.brand_name,
        "companyCnpj": settings.institution_cnpj,
        "productType": PRODUCT_TYPE,
        "productSubType": kind,
        "ipocCode": ipoc_code(settings.institution_cnpj or "", kind, customer_document, invoice_id),
    }


def _term(invoice: Invoice) -> int:
    assert invoice.financing is not None
    return term_days(invoice.financing.disbursement_date, invoice.due_date)


def cet(invoice: Invoice) -> Decimal:
    """The total effective cost: the discount and the IOF withheld from the advance."""
    f = invoice.financing
    assert f is not None
    return annual_effective_cost(f.first_payment, f.discount, _term(invoice), iof=f.iof)


def discount_rate(invoice: Invoice) -> Decimal:
    """The discount alone as an effective annual rate: the contract's interest."""
    f = invoice.financing
    assert f is not None
    return annual_effective_cost(f.first_payment, f.discount, _term(invoice))


def _percent(rate: int) -> str:
    """An IOF rate (100000000 = 100%) the Brazilian way: 8200 -> "0,0082%"."""
    return f"{(Decimal(rate) / (RATE_SCALE // 100)).normalize():f}".replace(".", ",") + "%"


def iof_charge(invoice: Invoice) -> dict[str, Any] | None:
    """The IOF withheld at funding, as the share of the advance it took (None when there was none)."""
    f = invoice.financing
    assert f is not None
    withheld = books.iof_withheld(invoice)
    if withheld <= 0:
        return None
    return {
        "chargeType": "IOF_CONTRATACAO",
        "chargeAdditionalInfo": f"{_percent(f.iof_daily_rate)} ao dia (até {IOF_MAX_DAYS} dias) + "
        f"{_percent(f.iof_additional_rate)}",
        "chargeRate": rate(Decimal(withheld) / Decimal(books.advanced(invoice)), MAX_CHARGE_RATE),
    }


def settlement_date(invoice: Invoice) -> date | None:
    """The day the lender's claim was paid in full (the buyer may still owe the supplier's rebate)."""
    stored = invoice.financing.settled_on if invoice.financing else None
    return stored or settled_on(invoice)


def contract(invoice: Invoice, settings: TenantSettings) -> dict[str, Any]:
    """The contract's details (InvoiceFinancingsContract)."""
    f = invoice.financing
    assert f is not None
    currency = invoice.currency
    kind = sub_type(invoice.type)
    _, product_name = SUB_TYPES[kind]
    body: dict[str, Any] = {
        "contractNumber": invoice.invoice_number,
        "ipocCode": ipoc_code(settings.institution_cnpj or "", kind, f.customer_document or "", invoice.id),
        "productName": product_name,
        "productType": PRODUCT_TYPE,
        "productSubType": kind,
        "contractDate": f.funded_at.date().isoformat(),
        "disbursementDates": [f.disbursement_date.isoformat()],
        "contractAmount": amount(books.advanced(invoice), currency),
        "currency": currency.upper(),
        "dueDate": invoice.due_date.isoformat(),
        "instalmentPeriodicity": "SEM_PERIODICIDADE_REGULAR",
        "firstInstalmentDueDate": invoice.due_date.isoformat(),
        "CET": rate(cet(invoice)),
        "amortizationScheduled": "SEM_SISTEMA_AMORTIZACAO",
        "interestRates": [
            {
                "taxType": "EFETIVA",
                "interestRateType": "COMPOSTO",
                "taxPeriodicity": "AA",
                "calculation": "30/365",
                "referentialRateIndexerType": "PRE_FIXADO",
                "referentialRateIndexerSubType": "PRE_FIXADO",
                "preFixedRate": rate(discount_rate(invoice), MAX_PRE_FIXED_RATE),
                "additionalInfo": (
                    f"Deságio de {amount(books.fee_earned(invoice), currency)} ({rate(basis_points(f.fee_rate))} do valor "
                    f"antecipado), cobrado uma vez pelo prazo de {_term(invoice)} dias"
                ),
            }
        ],
        # The discount is the contract's interest (above), not also a fee; the contract has no fees.
        "contractedFees": [],
        "contractedFinanceCharges": [charge] if (charge := iof_charge(invoice)) else [],
    }
    if (settled := settlement_date(invoice)) is not None:
        body["settlementDate"] = settled.isoformat()
    if settings.late_fee_rate_percentage:
        body["contractedFinanceCharges"].append(
            {
                "chargeType": "JUROS_MORA_ATRASO",
                "chargeAdditionalInfo": "Juros simples ao ano, por dia de atraso",
                "chargeRate": rate(basis_points(settings.late_fee_rate_percentage), MAX_CHARGE_RATE),
            }
        )
    return body


def warranties(invoice: Invoice) -> list[dict[str, Any]]:
    """The discounted receivable itself secures the contract."""
    return [
        {
            "currency": invoice.currency.upper(),
            "warrantyType": "CESSAO_DIREITOS_CREDITORIOS",
            "warrantySubType": "DUPLICATAS",
            "warrantyAmount": amount(invoice.amount, invoice.currency),
        }
    ]


def instalments(invoice: Invoice, today: date) -> dict[str, Any]:
    """One bullet payment at the due date, counted in days."""
    f = invoice.financing
    assert f is not None
    paid = settlement_date(invoice) is not None
    past_due = not paid and invoice.due_date < today
    return {
        "typeNumberOfInstalments": "DIA",
        "totalNumberOfInstalments": _term(invoice),
        "typeContractRemaining": "DIA",
        "contractRemainingNumber": 0 if paid else max(0, (invoice.due_date - today).days),
        "paidInstalments": 1 if paid else 0,
        "dueInstalments": 0 if paid or past_due else 1,
        "pastDueInstalments": 1 if past_due else 0,
        "balloonPayments": [
            {
                "dueDate": invoice.due_date.isoformat(),
                "amount": {
                    "amount": amount(books.claim_amount(invoice), invoice.currency),
                    "currency": invoice.currency.upper(),
                },
            }
        ],
    }


def releases(invoice: Invoice, recorded_by: datetime | None = None) -> list[dict[str, Any]]:
    """What each buyer payment (recorded at or before `recorded_by`, when given) paid of the claim, in
    paid-date order; a payment, or the part of one, beyond the claim is the supplier's rebate: not listed."""
    recorded = [p for p in invoice.payments if recorded_by is None or p.recorded_at <= recorded_by]
    return [
        {
            "paymentId": str(as_uuid(applied.payment.id)),
            "isOverParcelPayment": False,
            "instalmentId": "1",
            "paidDate": applied.payment.paid_date.isoformat(),
            "currency": invoice.currency.upper(),
            "paidAmount": amount(applied.amount, invoice.currency),
        }
        for applied in books.claim_releases(invoice, recorded)
    ]


def payments(invoice: Invoice, page_of_releases: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "paidInstalments": 1 if settlement_date(invoice) is not None else 0,
        "contractOutstandingBalance": amount(books.claim_outstanding(invoice), invoice.currency),
        "releases": page_of_releases,
    }
