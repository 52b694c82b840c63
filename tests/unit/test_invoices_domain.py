from datetime import UTC, date, datetime, timedelta

import pytest

from financing.domain import invoices as inv
from financing.domain.errors import InvalidInput
from financing.domain.funding import Pricing
from financing.domain.iof import IofRates, iof_on_credit
from financing.domain.lifecycle import Status, TransitionNotAllowed

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def draft(**overrides):
    fields = {
        "supplier": "company_S",
        "buyer": "company_B",
        "invoice_number": "INV-1",
        "client_reference_id": "ref-1",
        "invoice_document": "doc_1",
        "amount": 8_800_000,
        "currency": "usd",
        "type_of_goods": ["perishables", "other"],
        "issue_date": date(2026, 3, 1),
        "due_date": date(2026, 4, 30),
    }
    return inv.draft_invoice(tenant_id="acme", now=NOW, **{**fields, **overrides})


def submitted(**overrides):
    invoice, _ = inv.submit(draft(**overrides), now=NOW, buyer_limit_approved=True, document_uploaded=True)
    return invoice


def approved():
    invoice, _ = inv.request_signatures(submitted(), NOW)
    invoice, _ = inv.sign(invoice, inv.Party.SUPPLIER, "contact_s", is_signatory=True, now=NOW)
    invoice, _ = inv.sign(invoice, inv.Party.BUYER, "contact_b", is_signatory=True, now=NOW)
    return invoice


def financed():
    invoice, _ = inv.fund(approved(), Pricing(9000, 250), disbursement_date=TODAY, now=NOW)
    return invoice


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"buyer": "company_S"}, "buyer"),
        ({"amount": 0}, "amount"),
        ({"issue_date": TODAY + timedelta(days=1), "due_date": TODAY + timedelta(days=9)}, "issue_date"),
        ({"due_date": date(2026, 3, 1)}, "due_date"),
        ({"type_of_goods": []}, "type_of_goods"),
        ({"type_of_goods": ["other", "other"]}, "type_of_goods"),
    ],
)
def test_a_draft_breaking_a_rule_is_refused_naming_the_field(overrides, field):
    with pytest.raises(InvalidInput) as refused:
        draft(**overrides)
    assert field in [p.field for p in refused.value.problems]


def test_submitting_a_draft_opens_a_financing_session():
    invoice = submitted()
    assert invoice.status == Status.NEW and invoice.version == 2
    assert [s.status for s in invoice.sessions] == [inv.SessionStatus.OPEN]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"buyer_limit_approved": False, "document_uploaded": True}, "buyer_limit_not_approved"),
        ({"buyer_limit_approved": True, "document_uploaded": False}, "document_not_uploaded"),
    ],
)
def test_submission_preconditions(kwargs, code):
    with pytest.raises(inv.PreconditionFailed) as refused:
        inv.submit(draft(), now=NOW, **kwargs)
    assert refused.value.code == code


def test_a_past_due_invoice_cannot_be_submitted():
    with pytest.raises(inv.PreconditionFailed) as refused:
        inv.submit(
            draft(issue_date=date(2026, 1, 1), due_date=date(2026, 3, 9)),
            now=NOW,
            buyer_limit_approved=True,
            document_uploaded=True,
        )
    assert refused.value.code == "invoice_past_due"


def test_additional_information_then_resubmission_keeps_the_same_session():
    invoice, transition = inv.request_info(submitted(), "Send the packing list", NOW)
    assert (transition.from_status, transition.to_status, transition.reason) == (
        Status.NEW,
        Status.ADDITIONAL_INFO_REQUIRED,
        "Send the packing list",
    )
    invoice, _ = inv.submit(invoice, now=NOW, buyer_limit_approved=True, document_uploaded=True)
    assert invoice.status == Status.NEW and len(invoice.sessions) == 1


def test_both_signatures_approve_and_a_non_signatory_is_refused():
    invoice, _ = inv.request_signatures(submitted(), NOW)
    with pytest.raises(InvalidInput):
        inv.sign(invoice, inv.Party.BUYER, "contact_x", is_signatory=False, now=NOW)
    invoice, _ = inv.sign(invoice, inv.Party.SUPPLIER, "contact_s", is_signatory=True, now=NOW)
    assert invoice.status == Status.REQUESTING_SIGNATURES
    assert approved().status == Status.APPROVED


def test_funding_prices_the_advance_and_completes_the_session():
    invoice = financed()
    f = invoice.financing
    assert (f.first_payment, f.discount, f.repayment_amount) == (7_920_000, 198_000, 8_118_000)
    assert invoice.exposure == 7_920_000 and invoice.outstanding_amount == 8_800_000
    assert invoice.repayment_outstanding == 8_118_000
    assert invoice.sessions[0].status == inv.SessionStatus.COMPLETED


def test_partial_payments_then_repayment_computes_the_rebate():
    invoice, transition = inv.record_payment(
        financed(), 5_000_000, paid_date=TODAY, reference="wire-1", now=NOW
    )
    assert transition.to_status == Status.FINANCED and invoice.outstanding_amount == 3_800_000
    assert invoice.repayment_outstanding == 3_118_000
    with pytest.raises(inv.PaymentExceedsOutstanding):
        inv.record_payment(invoice, 3_800_001, paid_date=TODAY, reference="wire-2", now=NOW)
    invoice, transition = inv.record_payment(invoice, 3_800_000, paid_date=TODAY, reference="wire-2", now=NOW)
    assert transition.to_status == Status.REPAID and invoice.outstanding_amount == 0
    assert invoice.financing.second_payment == 8_800_000 - 7_920_000 - 198_000
    assert invoice.exposure == 0 and len(invoice.payments) == 2


def test_declining_is_possible_before_funding_only():
    invoice, _ = inv.decline(approved(), "Buyer risk", NOW)
    assert invoice.status == Status.DECLINED and invoice.sessions[0].status == inv.SessionStatus.DECLINED
    with pytest.raises(TransitionNotAllowed):
        inv.decline(financed(), "too late", NOW)


def test_drafts_only_can_be_edited_or_deleted():
    assert inv.revise_draft(draft(), {"amount": 100}, NOW).amount == 100
    with pytest.raises(TransitionNotAllowed):
        inv.revise_draft(submitted(), {"amount": 100}, NOW)
    with pytest.raises(TransitionNotAllowed):
        inv.check_deletable(submitted())


def test_ageing_marks_overdue_after_grace_accrues_late_fees_then_defaults():
    invoice = financed()  # due 2026-04-30, claim 81,180.00
    kwargs = {"now": NOW, "grace_days": 5, "default_after_days": 90, "late_rate": 3650}
    same, moves = inv.age(invoice, today=date(2026, 5, 5), **kwargs)
    assert same is invoice and moves == []
    overdue, moves = inv.age(invoice, today=date(2026, 5, 6), **kwargs)
    assert [m.to_status for m in moves] == [Status.OVERDUE] and overdue.overdue_since == date(2026, 5, 6)
    later, moves = inv.age(overdue, today=date(2026, 5, 16), **kwargs)
    # 36.5% a year is 0.1% a day of the unpaid claim of 8,118,000: 8,118 a day, for 10 days.
    assert moves == [] and later.financing.late_payment_fees == 10 * 8_118
    again, _ = inv.age(later, today=date(2026, 5, 16), **kwargs)
    assert again.financing.late_payment_fees == later.financing.late_payment_fees
    defaulted, moves = inv.age(later, today=date(2026, 7, 29), **kwargs)
    assert [m.to_status for m in moves] == [Status.DEFAULTED]
    assert defaulted.exposure == 7_920_000


@pytest.mark.parametrize(
    "disbursed",
    [date(2026, 2, 28), date(2026, 4, 30), date(2026, 5, 1)],
    ids=["before_issue", "on_due_date", "after_due_date"],
)
def test_disbursement_date_outside_issue_to_due_is_refused_naming_it(disbursed):
    # Given an approved invoice issued 2026-03-01 and due 2026-04-30
    with pytest.raises(InvalidInput) as refused:
        # When it is funded with a disbursement date outside [issue date, due date)
        inv.fund(approved(), Pricing(9000, 250), disbursement_date=disbursed, now=NOW)
    # Then nothing is funded and the field is named
    assert [p.field for p in refused.value.problems] == ["disbursement_date"]


def test_disbursement_date_on_the_issue_date_and_the_day_before_due_are_accepted():
    for disbursed in (date(2026, 3, 1), date(2026, 4, 29)):
        invoice, _ = inv.fund(approved(), Pricing(9000, 250), disbursement_date=disbursed, now=NOW)
        assert invoice.financing.disbursement_date == disbursed


def test_funding_a_brl_invoice_stores_the_iof_rates_and_amount_withheld():
    # Given an approved 88,000.00 brl invoice funded on 2026-03-10, due 2026-04-30 (51 days)
    brl = approved().model_copy(update={"currency": "brl"})
    invoice, _ = inv.fund(brl, Pricing(9000, 250), disbursement_date=TODAY, now=NOW, iof_rates=IofRates())
    f = invoice.financing
    # Then the contract keeps the rates it was funded at and the IOF: 79,200.00 x (0.000082 x 51 + 0.0038)
    assert (f.iof_daily_rate, f.iof_additional_rate) == (8200, 380_000)
    assert f.iof == 63_217 == iof_on_credit(7_920_000, 51, IofRates())


def test_iof_is_a_brazilian_tax_so_another_currency_pays_none():
    invoice, _ = inv.fund(
        approved(), Pricing(9000, 250), disbursement_date=TODAY, now=NOW, iof_rates=IofRates()
    )
    assert (invoice.financing.iof_daily_rate, invoice.financing.iof) == (0, 0)
