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
    # 36.5% a year is 0.1% a day of the unpaid claim of 8,118,000: 8,118 a day, for 11 days (6 to 16 May).
    assert moves == [] and later.financing.late_payment_fees == 11 * 8_118
    again, _ = inv.age(later, today=date(2026, 5, 16), **kwargs)
    assert again.financing.late_payment_fees == later.financing.late_payment_fees
    defaulted, moves = inv.age(later, today=date(2026, 7, 29), **kwargs)
    assert [m.to_status for m in moves] == [Status.DEFAULTED]
    assert defaulted.exposure == 7_920_000


# ------------------------------------------------------------------------- money rules (issue 12)

AGEING = {"grace_days": 0, "default_after_days": 120}
DUE = date(2026, 4, 30)  # the invoices below are due on 30 April; 1 May is their first overdue day


def funded(amount, advance_rate, fee_rate, **overrides):
    invoice = approved()
    invoice = invoice.model_copy(update={"amount": amount, **overrides})
    invoice, _ = inv.fund(invoice, Pricing(advance_rate, fee_rate), disbursement_date=TODAY, now=NOW)
    return invoice


def aged_daily(invoice, first, last, late_rate, **kwargs):
    """The daily job run on every day from `first` to `last`."""
    day = first
    while day <= last:
        invoice, _ = inv.age(invoice, today=day, now=NOW, late_rate=late_rate, **{**AGEING, **kwargs})
        day += timedelta(days=1)
    return invoice


def paid(invoice, amount, paid_date, on):
    moment = datetime.combine(on, datetime.min.time(), tzinfo=UTC)
    return inv.record_payment(invoice, amount, paid_date=paid_date, reference="wire", now=moment)[0]


def test_a_claim_above_the_invoice_amount_is_refused_at_funding_naming_the_pricing():
    # 1000.00 at 100% advance and 2.5% fee: a claim of 1025.00 the buyer could never pay.
    with pytest.raises(inv.ClaimExceedsInvoice) as refused:
        funded(100_000, 10_000, 250)
    assert refused.value.code == "claim_exceeds_invoice"
    assert [p.field for p in refused.value.problems] == ["advance_rate_percentage", "fee_percentage"]
    assert funded(100_000, 10_000, 0).financing.repayment_amount == 100_000  # the claim may equal it


def test_late_fees_beyond_the_headroom_become_a_recourse_claim_and_the_rebate_is_never_negative():
    # The default pricing on 1000.00: a claim of 922.50, headroom 77.50. At 36% a year, 90 overdue days
    # (1 May to 29 July) charge round(92250 x 0.36 x 90 / 365) = 8189: 77.50 on the invoice, 4.39 recourse.
    invoice = aged_daily(funded(100_000, 9000, 250), DUE, date(2026, 7, 29), late_rate=3600)
    f = invoice.financing
    assert invoice.status == Status.OVERDUE and invoice.headroom == 7_750
    assert (f.late_payment_fees, f.recourse_amount, f.late_fees_within_headroom) == (8_189, 439, 7_750)
    assert invoice.repayment_outstanding == invoice.amount  # the whole invoice, never more
    assert sum(p.recourse for p in f.late_fee_postings) == 439
    # Paid in full on 29 July: that day is no longer charged (89 days: 8098, of which 3.48 recourse).
    repaid = paid(invoice, 100_000, date(2026, 7, 29), date(2026, 7, 29))
    assert repaid.status == Status.REPAID and repaid.financing.second_payment == 0
    assert repaid.repayment_outstanding == 0 and repaid.financing.recourse_amount == 348


def test_late_fees_are_accrued_exactly_and_rounded_once_not_rounded_per_day():
    # A claim of 7.50 at 24% a year is 0.49 cent a day: rounded per day it never accrued anything.
    small = aged_daily(funded(1_000, 7500, 0), DUE, date(2026, 5, 30), late_rate=2400)
    assert small.financing.late_payment_fees == 15  # round(750 x 0.24 x 30 / 365) = round(14.79)
    # 922.50 over 30 days: 18.20, not 30 x 0.61 = 18.30.
    usual = aged_daily(funded(100_000, 9000, 250), DUE, date(2026, 5, 30), late_rate=2400)
    assert usual.financing.late_payment_fees == 1_820
    # 10.00 for a year at 24% is 2.40 (not 0.01 a day = 3.65).
    year = aged_daily(
        funded(1_000, 10_000, 0), DUE, date(2027, 4, 30), late_rate=2400, default_after_days=400
    )
    assert year.financing.late_payment_fees == 240
    for invoice in (small, usual, year):
        postings = invoice.financing.late_fee_postings
        assert sum(p.amount for p in postings) == invoice.financing.late_payment_fees
        assert {p.kind for p in postings} == {"accrual"}


def test_the_first_overdue_day_is_charged_even_when_the_job_runs_late():
    invoice = funded(100_000, 9000, 250)  # claim 92,250: 36.5% a year is 92.25 a day
    on_time, _ = inv.age(invoice, today=date(2026, 5, 1), now=NOW, late_rate=3650, **AGEING)
    assert on_time.overdue_since == date(2026, 5, 1) and on_time.financing.late_payment_fees == 92
    late, _ = inv.age(invoice, today=date(2026, 5, 4), now=NOW, late_rate=3650, **AGEING)
    assert late.overdue_since == date(2026, 5, 1) and late.financing.late_payment_fees == 369  # 4 days


def test_a_backdated_payment_rerates_the_late_fees_already_charged():
    invoice = funded(100_000, 9000, 250)  # claim 92,250 at 36.5%: 92.25 a day
    invoice = aged_daily(invoice, DUE, date(2026, 5, 10), late_rate=3650)
    assert invoice.financing.late_payment_fees == 923  # 10 days: round(922.5)
    # Recorded on 10 May, paid on 3 May: only half the claim is unpaid at the end of 3 May and later.
    invoice = paid(invoice, 46_125, date(2026, 5, 3), date(2026, 5, 10))
    f = invoice.financing
    assert f.late_payment_fees == 554  # round(2 x 92.25 + 8 x 46.125) = round(553.5)
    assert (f.late_fee_postings[-1].kind, f.late_fee_postings[-1].amount) == ("adjustment", -369)
    assert sum(p.amount for p in f.late_fee_postings) == f.late_payment_fees
    assert invoice.repayment_outstanding == 92_250 + 554 - 46_125
    # The next day's accrual continues on the re-rated history.
    invoice, _ = inv.age(invoice, today=date(2026, 5, 11), now=NOW, late_rate=3650, **AGEING)
    assert invoice.financing.late_payment_fees == 600  # round(553.5 + 46.125)


def test_a_payment_counts_from_its_paid_date_and_catches_up_the_days_the_job_has_not_charged():
    invoice = aged_daily(funded(100_000, 9000, 250), DUE, date(2026, 5, 1), late_rate=3650)
    assert invoice.financing.late_payment_fees == 92
    # Paid on 5 May, before that day's run: 2 to 4 May are charged whole, 5 May on the half left.
    invoice = paid(invoice, 46_125, date(2026, 5, 5), date(2026, 5, 5))
    assert invoice.financing.late_payment_fees == 369 and invoice.financing.late_fees_through == date(
        2026, 5, 4
    )
    assert [p.kind for p in invoice.financing.late_fee_postings] == ["accrual", "accrual"]
    invoice, _ = inv.age(invoice, today=date(2026, 5, 5), now=NOW, late_rate=3650, **AGEING)
    assert invoice.financing.late_payment_fees == 415  # round(4 x 92.25 + 46.125)


def test_a_settled_claim_stops_ageing_and_the_buyer_may_still_pay_the_rebate():
    invoice = aged_daily(funded(100_000, 9000, 250), DUE, date(2026, 5, 10), late_rate=3650)
    owed = invoice.repayment_outstanding
    assert owed == 92_250 + 923
    # Paid on 10 May, after that day's run: 10 May is no longer charged (9 days: 830).
    settled = paid(invoice, owed, date(2026, 5, 10), date(2026, 5, 10))
    assert settled.status == Status.OVERDUE and settled.financing.settled_on == date(2026, 5, 10)
    assert settled.repayment_outstanding == 0 and settled.financing.late_payment_fees == 830
    assert settled.outstanding_amount == 100_000 - owed
    for day in (date(2026, 5, 11), date(2026, 9, 30)):  # long past the default day
        same, moves = inv.age(settled, today=day, now=NOW, late_rate=3650, **AGEING)
        assert same is settled and moves == []
    repaid = paid(settled, 100_000 - owed, date(2026, 6, 1), date(2026, 6, 1))
    assert repaid.status == Status.REPAID and repaid.financing.second_payment == 100_000 - 92_250 - 830
    assert repaid.financing.settled_on == date(2026, 5, 10)


def test_a_claim_settled_before_the_due_date_never_becomes_overdue():
    invoice = paid(funded(100_000, 9000, 250), 92_250, TODAY, TODAY)
    assert invoice.financing.settled_on == TODAY and invoice.status == Status.FINANCED
    same, moves = inv.age(invoice, today=date(2026, 5, 20), now=NOW, late_rate=3650, **AGEING)
    assert same is invoice and moves == []


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
