"""The double-entry ledger under every amount: the chart of accounts, journal entries, and the entry a
change of an invoice makes, derived from the invoice's money fields alone.

An invoice's money fields determine a set of cumulative positions (how much was disbursed, earned,
collected, allocated, paid back, written off). Each position has a debit and a credit account; the
entry for a change is, for each position that moved, a posting pair of the difference. So every entry
balances by construction, whatever rule changed the fields (a funding, a payment, an accrual, a
re-rating that lowers the fees, a default or a recovery), and the sum of an invoice's entries is the
ledger image of its current fields.

Chart of accounts (per tenant and currency; debit-normal accounts have a positive balance):

    code  account               normal  what it holds
    1000  cash                  debit   the lender's cash / clearing account
    1100  advances_receivable   debit   the claim on the buyer: advance + discount not yet collected
    1110  late_fees_receivable  debit   late fees accrued and not yet collected
    1200  recourse_receivable   debit   late fees the buyer's payment cannot cover, claimed from the supplier
    2100  rebate_payable        credit  collections beyond the claim and fees, owed back to the supplier
    2200  iof_payable           credit  IOF tax withheld from the advance, owed to the tax authority
    4000  fee_income            credit  the discount, earned when the invoice is funded
    4100  late_fee_income       credit  late fees, earned as they accrue (negative adjustments reverse them)
    5000  write_offs            debit   claims and fees written off when the invoice defaults

Positions and their postings (cumulative; the entry posts each one's change):

    disbursed      Dr advances_receivable      Cr cash                 first_payment - iof
    iof_withheld   Dr advances_receivable      Cr iof_payable          Financing.iof
    discount       Dr advances_receivable      Cr fee_income           discount
    late_fees      Dr late_fees_receivable     Cr late_fee_income      late_payment_fees
    claim_paid     Dr cash                     Cr advances_receivable  min(collected, advance + discount)
    fees_paid      Dr cash                     Cr late_fees_receivable min(collected - claim_paid, late fees)
    surplus        Dr cash                     Cr rebate_payable       collected - claim_paid - fees_paid
    rebate_paid    Dr rebate_payable           Cr cash                 max(0, second_payment)
    recourse       Dr recourse_receivable      Cr late_fees_receivable Financing.recourse_amount
    claim_written  Dr write_offs               Cr advances_receivable  claim unpaid, while defaulted
    fees_written   Dr write_offs               Cr late_fees_receivable fees unpaid (less recourse), while defaulted

A buyer payment is thus allocated first to the claim (advance + discount), then to the late fees, and
the rest is payable to the supplier; when late fees grow after a surplus was held, the generic
difference settles them out of the surplus (Dr rebate_payable, Cr late_fees_receivable) without cash.
A payment on a defaulted invoice lowers the unpaid claim, so it reverses part of the write-off.
`recourse_amount` is the part of `late_payment_fees` beyond the invoice's headroom, which the buyer's
payments never cover and which is claimed from the supplier (it stays counted in `late_payment_fees`,
so it moves from late_fees_receivable to recourse_receivable); `iof` is withheld from the advance (the
supplier receives first_payment - iof). A date such as `settled_on` moves no money and makes no posting.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from hashlib import blake2b

from pydantic import BaseModel
from ulid import ULID

from financing.domain.lifecycle import Status


class Account(StrEnum):
    CASH = "cash"
    ADVANCES_RECEIVABLE = "advances_receivable"
    LATE_FEES_RECEIVABLE = "late_fees_receivable"
    RECOURSE_RECEIVABLE = "recourse_receivable"
    REBATE_PAYABLE = "rebate_payable"
    IOF_PAYABLE = "iof_payable"
    FEE_INCOME = "fee_income"
    LATE_FEE_INCOME = "late_fee_income"
    WRITE_OFFS = "write_offs"


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


@dataclass(frozen=True)
class AccountInfo:
    code: str
    kind: str  # asset | liability | income | expense
    normal: Side
    description: str


CHART: dict[Account, AccountInfo] = {
    Account.CASH: AccountInfo("1000", "asset", Side.DEBIT, "The lender's cash / clearing account"),
    Account.ADVANCES_RECEIVABLE: AccountInfo(
        "1100", "asset", Side.DEBIT, "Claims on buyers: advance + discount not yet collected"
    ),
    Account.LATE_FEES_RECEIVABLE: AccountInfo(
        "1110", "asset", Side.DEBIT, "Late fees accrued, not yet collected"
    ),
    Account.RECOURSE_RECEIVABLE: AccountInfo(
        "1200", "asset", Side.DEBIT, "Late fees beyond the invoice's headroom, claimed from the supplier"
    ),
    Account.REBATE_PAYABLE: AccountInfo(
        "2100", "liability", Side.CREDIT, "Collections beyond the claim, owed back to the supplier"
    ),
    Account.IOF_PAYABLE: AccountInfo(
        "2200", "liability", Side.CREDIT, "IOF withheld, owed to the tax authority"
    ),
    Account.FEE_INCOME: AccountInfo("4000", "income", Side.CREDIT, "Discount earned on funding"),
    Account.LATE_FEE_INCOME: AccountInfo("4100", "income", Side.CREDIT, "Late fees earned"),
    Account.WRITE_OFFS: AccountInfo("5000", "expense", Side.DEBIT, "Claims and fees written off on default"),
}

# Every position an invoice's money fields determine: (name, memo, debit account, credit account).
POSITIONS: tuple[tuple[str, str, Account, Account], ...] = (
    ("disbursed", "advance disbursed to the supplier", Account.ADVANCES_RECEIVABLE, Account.CASH),
    ("iof_withheld", "IOF withheld from the advance", Account.ADVANCES_RECEIVABLE, Account.IOF_PAYABLE),
    ("discount", "discount earned", Account.ADVANCES_RECEIVABLE, Account.FEE_INCOME),
    ("late_fees", "late fees accrued", Account.LATE_FEES_RECEIVABLE, Account.LATE_FEE_INCOME),
    ("claim_paid", "buyer payment applied to the claim", Account.CASH, Account.ADVANCES_RECEIVABLE),
    ("fees_paid", "buyer payment applied to late fees", Account.CASH, Account.LATE_FEES_RECEIVABLE),
    (
        "surplus",
        "buyer payment beyond the claim, payable to the supplier",
        Account.CASH,
        Account.REBATE_PAYABLE,
    ),
    ("rebate_paid", "rebate paid to the supplier", Account.REBATE_PAYABLE, Account.CASH),
    (
        "recourse",
        "late fees claimed from the supplier (recourse)",
        Account.RECOURSE_RECEIVABLE,
        Account.LATE_FEES_RECEIVABLE,
    ),
    ("claim_written_off", "claim written off on default", Account.WRITE_OFFS, Account.ADVANCES_RECEIVABLE),
    (
        "fees_written_off",
        "late fees written off on default",
        Account.WRITE_OFFS,
        Account.LATE_FEES_RECEIVABLE,
    ),
)


class Posting(BaseModel):
    account: Account
    side: Side
    amount: int  # minor units, > 0
    memo: str

    @property
    def signed(self) -> int:
        """Debits positive, credits negative."""
        return self.amount if self.side == Side.DEBIT else -self.amount


class JournalEntry(BaseModel):
    """One balanced, immutable entry: every posting of one committed change of one invoice."""

    id: str
    tenant_id: str
    invoice_id: str
    invoice_version: int
    currency: str
    buyer: str
    supplier: str
    due_date: date
    posted_at: datetime  # when it was booked (the commit): the ledger's order and its as-of dates
    value_date: date  # the business date: a payment's paid date, a funding's disbursement date
    event_id: str
    correlation_id: str
    postings: list[Posting]

    @property
    def balanced(self) -> bool:
        return sum(p.signed for p in self.postings) == 0


class UnbalancedEntry(AssertionError):
    pass


def positions(invoice) -> dict[str, int]:
    """The cumulative positions the invoice's money fields determine (all 0 before funding)."""
    f = invoice.financing if invoice is not None else None
    if f is None:
        return {name: 0 for name, *_ in POSITIONS}
    advance, discount = f.first_payment, f.discount
    fees, collected = f.late_payment_fees, f.collected
    iof, recourse = f.iof, f.recourse_amount
    claim_paid = min(collected, advance + discount)
    fees_paid = max(0, min(collected - claim_paid, fees))
    defaulted = invoice.status == Status.DEFAULTED
    return {
        "disbursed": advance - iof,
        "iof_withheld": iof,
        "discount": discount,
        "late_fees": fees,
        "claim_paid": claim_paid,
        "fees_paid": fees_paid,
        "surplus": collected - claim_paid - fees_paid,
        "rebate_paid": max(0, f.second_payment or 0),
        "recourse": recourse,
        "claim_written_off": advance + discount - claim_paid if defaulted else 0,
        "fees_written_off": max(0, fees - fees_paid - recourse) if defaulted else 0,
    }


def postings_between(previous, moved) -> list[Posting]:
    """The postings that take the ledger image of `previous` (None: nothing yet) to that of `moved`."""
    before, after = positions(previous), positions(moved)
    postings = []
    for name, memo, debit, credit in POSITIONS:
        change = after[name] - before[name]
        if change:
            first, second = (debit, credit) if change > 0 else (credit, debit)
            postings += [
                Posting(account=first, side=Side.DEBIT, amount=abs(change), memo=memo),
                Posting(account=second, side=Side.CREDIT, amount=abs(change), memo=memo),
            ]
    return postings


def entry_id(invoice_id: str, version: int, at: datetime) -> str:
    """The entry of one invoice version has one id, whoever computes it and however often: its ULID's
    time is the posting time, its randomness a hash of (invoice, version). A retried commit therefore
    writes the same key, which the store's condition refuses to write twice."""
    randomness = blake2b(f"{invoice_id}:{version}".encode(), digest_size=10).digest()
    timestamp = int(at.timestamp() * 1000).to_bytes(6, "big")
    return f"je_{ULID.from_bytes(timestamp + randomness)}"


def value_date(previous, moved, at: datetime) -> date:
    """The business date of a change: the paid date of the payment it records, the disbursement date of
    the funding it makes, otherwise the day it is posted."""
    paid = moved.payments[len(previous.payments) if previous is not None else 0 :]
    if paid:
        return paid[-1].paid_date
    if moved.financing is not None and (previous is None or previous.financing is None):
        return moved.financing.disbursement_date
    return at.date()


def entry_for(previous, moved, *, event_id: str, correlation_id: str, at: datetime) -> JournalEntry | None:
    """The journal entry of the change from `previous` to `moved`, or None when no money moved."""
    postings = postings_between(previous, moved)
    if not postings:
        return None
    entry = JournalEntry(
        id=entry_id(moved.id, moved.version, at),
        tenant_id=moved.tenant_id,
        invoice_id=moved.id,
        invoice_version=moved.version,
        currency=moved.currency,
        buyer=moved.buyer,
        supplier=moved.supplier,
        due_date=moved.due_date,
        posted_at=at,
        value_date=value_date(previous, moved, at),
        event_id=event_id,
        correlation_id=correlation_id,
        postings=postings,
    )
    if not entry.balanced:  # cannot happen by construction; never store an unbalanced entry
        raise UnbalancedEntry(entry.id)
    return entry


# ------------------------------------------------------------------------------------------ balances


Balances = dict[tuple[str, Account], int]  # signed (debit positive) per (currency, account)


def balances(
    entries: Iterable[JournalEntry], opening: Mapping[tuple[str, Account], int] | None = None
) -> Balances:
    """Signed balances (debit positive) per (currency, account): `opening` (what earlier entries sum to)
    plus the entries. An account an entry touched keeps its place at 0."""
    totals: dict[tuple[str, Account], int] = defaultdict(int, opening or {})
    for entry in entries:
        for posting in entry.postings:
            totals[(entry.currency, posting.account)] += posting.signed
    return dict(totals)


def invoice_balances(entries: Iterable[JournalEntry]) -> dict[Account, int]:
    """One invoice's sub-ledger: signed balance per account."""
    totals: dict[Account, int] = defaultdict(int)
    for entry in entries:
        for posting in entry.postings:
            totals[posting.account] += posting.signed
    return dict(totals)


def claim_outstanding(account_balances: dict[Account, int]) -> int:
    """What the buyer still owes the lender on its claim: unpaid advance + discount and late fees."""
    return account_balances.get(Account.ADVANCES_RECEIVABLE, 0) + account_balances.get(
        Account.LATE_FEES_RECEIVABLE, 0
    )


# ------------------------------------------------------------------------------------------ closings
#
# A month's closing balances are what every entry posted up to its end sums to. An entry's `posted_at` is
# the clock's time when its change was decided, and its transaction commits within the request (a
# Lambda runs 15 minutes at most), so no entry is ever booked into a month more than that after the
# month ended: a backdated payment carries its paid date as `value_date` and is posted now. A month
# is thus final CLOSING_LAG after it ends, and its closing, once computed, never changes.

CLOSING_LAG = timedelta(hours=1)


def month_of(moment: date) -> str:
    # Four digits always: `%Y` drops the leading zeros of a year before 1000, which then sorts after 2026.
    return f"{moment.year:04d}-{moment.month:02d}"


def next_month(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def previous_month(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def month_end(month: str) -> date:
    """The month's last day."""
    year, number = map(int, next_month(month).split("-"))
    return date(year, number, 1) - timedelta(days=1)


def last_final_month(now: datetime) -> str:
    """The latest month no entry can still be booked into at `now`."""
    return previous_month(month_of(now - CLOSING_LAG))


@dataclass(frozen=True)
class MonthClosing:
    """The tenant's balances and aging positions at the end of `month`: every entry posted through it;
    and the month's own volume per currency (what was funded and collected within it; None in a
    closing stored before closings kept it)."""

    tenant_id: str
    month: str
    balances: Balances
    aging: "AgingPositions"
    volume: "dict[str, Volume] | None" = None


# ------------------------------------------------------------------------------------------- ageing

AGING_BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")


def aging_bucket(due_date: date, as_of: date) -> str:
    late = (as_of - due_date).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "1_30"
    if late <= 60:
        return "31_60"
    if late <= 90:
        return "61_90"
    return "over_90"


# ------------------------------------------------------------------------------------------ reports


@dataclass(frozen=True)
class AccountBalance:
    account: Account
    balance: int  # signed: debit positive

    @property
    def debit(self) -> int:
        return max(self.balance, 0)

    @property
    def credit(self) -> int:
        return max(-self.balance, 0)


@dataclass(frozen=True)
class TrialBalance:
    currency: str
    accounts: list[AccountBalance]  # in chart order, every account the currency's entries touched

    @property
    def debits(self) -> int:
        return sum(a.debit for a in self.accounts)

    @property
    def credits(self) -> int:
        return sum(a.credit for a in self.accounts)


def trial_balances(
    entries: Iterable[JournalEntry], opening: Mapping[tuple[str, Account], int] | None = None
) -> list[TrialBalance]:
    """Per currency, each account's balance (`opening` plus the entries); debits equal credits when
    every entry balances."""
    totals = balances(entries, opening)
    order = list(CHART)
    return [
        TrialBalance(
            currency,
            [AccountBalance(a, totals[(currency, a)]) for a in order if (currency, a) in totals],
        )
        for currency in sorted({c for c, _ in totals})
    ]


@dataclass
class Aged:
    """Claims outstanding by days past due, and what was written off."""

    buckets: dict[str, int]
    written_off: int = 0

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


def _aged() -> Aged:
    return Aged({bucket: 0 for bucket in AGING_BUCKETS})


@dataclass(frozen=True)
class AgingReport:
    currency: str
    total: Aged
    buyers: dict[str, Aged]


@dataclass(frozen=True)
class AgingPositions:
    """What the aging report needs of the entries, summed so that it holds what is open, not history:
    the claims outstanding per (currency, buyer, due date), the write-offs per (currency, buyer), and
    the currencies seen. Each invoice's entries carry its currency, buyer and due date, so summing its
    claim into its (currency, buyer, due date) puts it in the same bucket on any day."""

    claims: dict[tuple[str, str, date], int]
    written_off: dict[tuple[str, str], int]
    currencies: frozenset[str]


NO_AGING = AgingPositions({}, {}, frozenset())


def aging_positions(entries: Iterable[JournalEntry], opening: AgingPositions = NO_AGING) -> AgingPositions:
    """`opening` plus the entries (zero sums left out: a settled claim takes no room)."""
    claims: dict[tuple[str, str, date], int] = defaultdict(int, opening.claims)
    written_off: dict[tuple[str, str], int] = defaultdict(int, opening.written_off)
    currencies = set(opening.currencies)
    for entry in entries:
        currencies.add(entry.currency)
        for posting in entry.postings:
            if posting.account in (Account.ADVANCES_RECEIVABLE, Account.LATE_FEES_RECEIVABLE):
                claims[(entry.currency, entry.buyer, entry.due_date)] += posting.signed
            elif posting.account == Account.WRITE_OFFS:
                written_off[(entry.currency, entry.buyer)] += posting.signed
    return AgingPositions(
        {k: v for k, v in claims.items() if v},
        {k: v for k, v in written_off.items() if v},
        frozenset(currencies),
    )


def aging_report(positions: AgingPositions, as_of: date) -> list[AgingReport]:
    """The claims outstanding in the bucket of their days past due on `as_of`, per currency, in total
    and per buyer (a buyer with nothing outstanding and nothing written off is left out)."""
    reports = {currency: AgingReport(currency, _aged(), {}) for currency in positions.currencies}
    for (currency, buyer_id, due_date), claim in positions.claims.items():
        report = reports[currency]
        bucket = aging_bucket(due_date, as_of)
        for aged in (report.total, report.buyers.setdefault(buyer_id, _aged())):
            aged.buckets[bucket] += claim
    for (currency, buyer_id), amount in positions.written_off.items():
        report = reports[currency]
        for aged in (report.total, report.buyers.setdefault(buyer_id, _aged())):
            aged.written_off += amount
    for report in reports.values():
        for buyer_id in [b for b, aged in report.buyers.items() if not aged.total and not aged.written_off]:
            del report.buyers[buyer_id]
    return [reports[currency] for currency in sorted(reports)]


def aging(entries: Iterable[JournalEntry], as_of: date) -> list[AgingReport]:
    """Each invoice's claim outstanding (unpaid advance + discount and late fees) in the bucket of its
    days past due on `as_of`, per currency, in total and per buyer, from the entries posted by then."""
    return aging_report(aging_positions(entries), as_of)


# ------------------------------------------------------------------------------------------- volume
#
# Funded: the advances the entries booked (the `disbursed` and `iof_withheld` positions: the IOF is
# withheld from the advance, so the two sum to the advance, first_payment). Collected: the buyers'
# payments they booked (`claim_paid`, `fees_paid` and `surplus`: the three sum to what was collected).
# Each position's postings carry its memo, which tells a disbursement from a payment on the same
# accounts. Months are those the entries were posted (booked) in, as for every other report.

_MEMO = {memo: name for name, memo, *_ in POSITIONS}
FUNDED = {"disbursed", "iof_withheld"}
COLLECTED = {"claim_paid", "fees_paid", "surplus"}
MAX_VOLUME_MONTHS = 36


@dataclass(frozen=True)
class Volume:
    """Funded and collected within a month, in minor units (net of any reversal booked in it)."""

    funded: int = 0
    collected: int = 0

    def __add__(self, other: "Volume") -> "Volume":
        return Volume(self.funded + other.funded, self.collected + other.collected)


def entry_volume(entry: JournalEntry) -> Volume:
    """What one entry funded (its advance postings, as the claim sees them) and collected (its payment
    postings, as cash sees them)."""
    funded = collected = 0
    for posting in entry.postings:
        position = _MEMO.get(posting.memo)
        if position in FUNDED and posting.account == Account.ADVANCES_RECEIVABLE:
            funded += posting.signed
        elif position in COLLECTED and posting.account == Account.CASH:
            collected += posting.signed
    return Volume(funded, collected)


def volumes(entries: Iterable[JournalEntry]) -> dict[tuple[str, str], Volume]:
    """Per (month posted, currency): what the entries funded and collected. A month and currency
    appears only where an entry funded or collected something."""
    totals: dict[tuple[str, str], Volume] = {}
    for entry in entries:
        moved = entry_volume(entry)
        if moved != Volume():
            key = (month_of(entry.posted_at), entry.currency)
            totals[key] = totals.get(key, Volume()) + moved
    return totals


def month_volume(entries: Iterable[JournalEntry]) -> dict[str, Volume]:
    """Per currency, what one month's entries funded and collected (a closing's volume)."""
    return {currency: volume for (_, currency), volume in volumes(entries).items()}


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` through `last` (YYYY-MM), in order; empty when `first` is after `last`."""
    months = []
    while first <= last:
        months.append(first)
        first = next_month(first)
    return months


def months_before(month: str, count: int) -> str:
    """`count` months before `month`, or the first month a query can name (0000-01) if that is later."""
    for _ in range(count):
        if month == "0000-01":
            break
        month = previous_month(month)
    return month


def months_apart(first: str, last: str) -> int:
    """How many months `last` is after `first` (0: the same month; negative: before it)."""
    (first_year, first_number), (last_year, last_number) = (map(int, m.split("-")) for m in (first, last))
    return (last_year - first_year) * 12 + last_number - first_number


@dataclass(frozen=True)
class VolumeReport:
    currency: str
    months: list[tuple[str, Volume]]  # every month asked for, in order, zeros where nothing moved


def volume_report(totals: Mapping[tuple[str, str], Volume], first: str, last: str) -> list[VolumeReport]:
    """Per currency that funded or collected anything from `first` through `last`: every month of the
    span with its volume, zero where nothing moved, so a chart of it has no gaps."""
    months = months_between(first, last)
    currencies = sorted({currency for month, currency in totals if first <= month <= last})
    return [
        VolumeReport(currency, [(month, totals.get((month, currency), Volume())) for month in months])
        for currency in currencies
    ]
