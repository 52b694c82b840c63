"""The ledger and its reports as the core API shows them (decimal major units), and the journal as CSV."""

import csv
import io
from datetime import date
from typing import Literal

from pydantic import BaseModel

from financing.clock import iso
from financing.domain.ledger import CHART, Aged, AgingReport, JournalEntry, TrialBalance, VolumeReport
from financing.domain.money import to_major
from financing.domain.reports import PartyExposure
from financing.families.core.invoices import Major


class LineObject(BaseModel):
    account: str
    account_code: str
    side: Literal["debit", "credit"]
    amount: Major
    memo: str


class LedgerEntryObject(BaseModel):
    object: Literal["ledger_entry"] = "ledger_entry"
    id: str
    invoice: str
    invoice_version: int
    currency: str
    buyer: str
    supplier: str
    posted_at: str
    value_date: date
    event: str
    correlation_id: str
    lines: list[LineObject]


def entry_object(entry: JournalEntry) -> LedgerEntryObject:
    return LedgerEntryObject(
        id=entry.id,
        invoice=entry.invoice_id,
        invoice_version=entry.invoice_version,
        currency=entry.currency,
        buyer=entry.buyer,
        supplier=entry.supplier,
        posted_at=iso(entry.posted_at),
        value_date=entry.value_date,
        event=entry.event_id,
        correlation_id=entry.correlation_id,
        lines=[
            LineObject(
                account=p.account.value,
                account_code=CHART[p.account].code,
                side=p.side.value,
                amount=to_major(p.amount, entry.currency),
                memo=p.memo,
            )
            for p in entry.postings
        ],
    )


class AccountBalanceObject(BaseModel):
    account: str
    account_code: str
    kind: str
    debit: Major
    credit: Major


class TrialBalanceObject(BaseModel):
    object: Literal["trial_balance"] = "trial_balance"
    currency: str
    as_of: date
    invoice: str | None
    accounts: list[AccountBalanceObject]
    total_debit: Major
    total_credit: Major


class TrialBalancesObject(BaseModel):
    object: Literal["list"] = "list"
    data: list[TrialBalanceObject]


def trial_balances_object(
    balances: list[TrialBalance], as_of: date, invoice: str | None
) -> TrialBalancesObject:
    return TrialBalancesObject(
        data=[
            TrialBalanceObject(
                currency=tb.currency,
                as_of=as_of,
                invoice=invoice,
                accounts=[
                    AccountBalanceObject(
                        account=a.account.value,
                        account_code=CHART[a.account].code,
                        kind=CHART[a.account].kind,
                        debit=to_major(a.debit, tb.currency),
                        credit=to_major(a.credit, tb.currency),
                    )
                    for a in tb.accounts
                ],
                total_debit=to_major(tb.debits, tb.currency),
                total_credit=to_major(tb.credits, tb.currency),
            )
            for tb in balances
        ]
    )


class AgedObject(BaseModel):
    current: Major
    days_1_30: Major
    days_31_60: Major
    days_61_90: Major
    days_over_90: Major
    total: Major
    written_off: Major


class BuyerAgingObject(AgedObject):
    buyer: str


class AgingObject(BaseModel):
    object: Literal["aging_report"] = "aging_report"
    currency: str
    as_of: date
    total: AgedObject
    buyers: list[BuyerAgingObject]


class AgingReportsObject(BaseModel):
    object: Literal["list"] = "list"
    data: list[AgingObject]


def _aged(aged: Aged, currency: str) -> dict:
    major = {bucket: to_major(amount, currency) for bucket, amount in aged.buckets.items()}
    return {
        "current": major["current"],
        "days_1_30": major["1_30"],
        "days_31_60": major["31_60"],
        "days_61_90": major["61_90"],
        "days_over_90": major["over_90"],
        "total": to_major(aged.total, currency),
        "written_off": to_major(aged.written_off, currency),
    }


def aging_object(reports: list[AgingReport], as_of: date) -> AgingReportsObject:
    return AgingReportsObject(
        data=[
            AgingObject(
                currency=r.currency,
                as_of=as_of,
                total=AgedObject(**_aged(r.total, r.currency)),
                buyers=[
                    BuyerAgingObject(buyer=buyer, **_aged(aged, r.currency))
                    for buyer, aged in sorted(r.buyers.items())
                ],
            )
            for r in reports
        ]
    )


class PartyExposureObject(BaseModel):
    company: str
    currency: str
    limit: Major | None
    drawn: Major
    available: Major | None
    overdue: Major


class ExposureReportObject(BaseModel):
    object: Literal["exposure_report"] = "exposure_report"
    as_of: date
    buyers: list[PartyExposureObject]
    suppliers: list[PartyExposureObject]


def _party(party: PartyExposure) -> PartyExposureObject:
    def major(minor: int | None):
        return None if minor is None else to_major(minor, party.currency)

    return PartyExposureObject(
        company=party.company,
        currency=party.currency,
        limit=major(party.limit),
        drawn=major(party.drawn),
        available=major(party.available),
        overdue=major(party.overdue),
    )


def exposure_object(
    buyers: list[PartyExposure], suppliers: list[PartyExposure], as_of: date
) -> ExposureReportObject:
    return ExposureReportObject(
        as_of=as_of, buyers=[_party(b) for b in buyers], suppliers=[_party(s) for s in suppliers]
    )


class MonthVolumeObject(BaseModel):
    month: str
    funded: Major
    collected: Major


class VolumeObject(BaseModel):
    object: Literal["volume_report"] = "volume_report"
    currency: str
    months: list[MonthVolumeObject]


class VolumeReportsObject(BaseModel):
    object: Literal["list"] = "list"
    data: list[VolumeObject]


def volume_object(reports: list[VolumeReport]) -> VolumeReportsObject:
    return VolumeReportsObject(
        data=[
            VolumeObject(
                currency=r.currency,
                months=[
                    MonthVolumeObject(
                        month=month,
                        funded=to_major(volume.funded, r.currency),
                        collected=to_major(volume.collected, r.currency),
                    )
                    for month, volume in r.months
                ],
            )
            for r in reports
        ]
    )


CSV_COLUMNS = (
    "entry_id",
    "posted_at",
    "value_date",
    "invoice",
    "invoice_version",
    "event",
    "correlation_id",
    "account_code",
    "account",
    "currency",
    "debit",
    "credit",
    "memo",
)


def _cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading =, +, - or @ would make it a formula (correlation
    ids come from the caller)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def journal_csv(entries: list[JournalEntry]) -> str:
    """One row per posting, debit and credit in separate columns (decimal major units), as a general
    ledger imports a journal; the rows of one entry share its id and balance."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        for p in entry.postings:
            amount = str(to_major(p.amount, entry.currency))
            writer.writerow(
                (
                    entry.id,
                    iso(entry.posted_at),
                    entry.value_date.isoformat(),
                    entry.invoice_id,
                    entry.invoice_version,
                    entry.event_id,
                    _cell(entry.correlation_id),
                    CHART[p.account].code,
                    p.account.value,
                    entry.currency,
                    amount if p.side == "debit" else "",
                    amount if p.side == "credit" else "",
                    p.memo,
                )
            )
    return out.getvalue()
