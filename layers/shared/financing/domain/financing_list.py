"""The financing list (Monite-shaped): its status groups, and a query over invoices as plain values.

A query holds every filter already normalised: lists intersected, comparisons turned into inclusive
ranges (dates as days, creation as Unix milliseconds, amounts as minor units). `matches` is the rule
that decides membership; storage only chooses which keys to read before applying it.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from financing.domain.invoices import Invoice, InvoiceType
from financing.domain.lifecycle import Status


class ListStatus(StrEnum):
    DRAFT = "DRAFT"
    NEW = "NEW"
    FUNDED = "FUNDED"
    PAID = "PAID"
    LATE = "LATE"
    REJECTED = "REJECTED"
    DEFAULTED = "DEFAULTED"


LIST_STATUS: dict[Status, ListStatus] = {
    Status.DRAFT: ListStatus.DRAFT,
    Status.NEW: ListStatus.NEW,
    Status.ADDITIONAL_INFO_REQUIRED: ListStatus.NEW,
    Status.REQUESTING_SIGNATURES: ListStatus.NEW,
    Status.APPROVED: ListStatus.NEW,
    Status.DECLINED: ListStatus.REJECTED,
    Status.FINANCED: ListStatus.FUNDED,
    Status.REPAID: ListStatus.PAID,
    Status.OVERDUE: ListStatus.LATE,
    Status.DEFAULTED: ListStatus.DEFAULTED,
}


MAX_DUE_SPAN_YEARS = 10  # between a query's due date bounds


def due_span_too_wide(first: date | None, last: date | None) -> bool:
    """Whether both due bounds are given and `last` falls more than MAX_DUE_SPAN_YEARS years after
    `first` (from 29 February, the same number of years later is 28 February)."""
    if first is None or last is None or first.year + MAX_DUE_SPAN_YEARS > date.max.year:
        return False
    year = first.year + MAX_DUE_SPAN_YEARS
    limit = (
        first.replace(year=year, day=28) if (first.month, first.day) == (2, 29) else first.replace(year=year)
    )
    return last > limit


class Order(StrEnum):
    ASC = "asc"
    DESC = "desc"


class InvoiceQuery(BaseModel):
    """A normalised query. `None` means "no condition"; an empty list or an empty range matches nothing."""

    order: Order = Order.ASC
    limit: int = 100
    invoice_ids: list[str] | None = None
    statuses: list[ListStatus] | None = None
    types: list[InvoiceType] | None = None
    document_ids: list[str] | None = None
    issue_from: date | None = None
    issue_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    created_from_ms: int | None = None
    created_to_ms: int | None = None
    amount_from: int | None = None
    amount_to: int | None = None

    @property
    def empty(self) -> bool:
        """Whether the conditions contradict each other (an empty set or range): no read needed."""
        ranges = [
            (self.issue_from, self.issue_to),
            (self.due_from, self.due_to),
            (self.created_from_ms, self.created_to_ms),
            (self.amount_from, self.amount_to),
        ]
        lists = (self.invoice_ids, self.statuses, self.types, self.document_ids)
        return any(v == [] for v in lists) or any(
            lo is not None and hi is not None and lo > hi for lo, hi in ranges
        )


def matches(invoice: Invoice, query: InvoiceQuery) -> bool:
    def within(value, lo, hi) -> bool:
        return (lo is None or value >= lo) and (hi is None or value <= hi)

    return (
        (query.invoice_ids is None or invoice.id in query.invoice_ids)
        and (query.statuses is None or LIST_STATUS[invoice.status] in query.statuses)
        and (query.types is None or invoice.type in query.types)
        and (query.document_ids is None or invoice.invoice_document in query.document_ids)
        and within(invoice.issue_date, query.issue_from, query.issue_to)
        and within(invoice.due_date, query.due_from, query.due_to)
        and within(created_ms(invoice.created), query.created_from_ms, query.created_to_ms)
        and within(invoice.amount, query.amount_from, query.amount_to)
    )


def created_ms(moment: datetime) -> int:
    return _micros(moment) // 1000


def _micros(moment: datetime) -> int:
    """Microseconds since 1970 (UTC; naive is UTC), in integers: a moment whose UTC instant lies beyond
    year 1 or 9999 (0001-01-01T05:00+06:00) is no error."""
    delta = moment.replace(tzinfo=None) - datetime(1970, 1, 1) - (moment.utcoffset() or timedelta(0))
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# ---------------------------------------------------------------------------------- normalising bounds


def intersect(*lists: list | None) -> list | None:
    """Values every given list allows (keeping the first list's order); None when no list is given."""
    given = [values for values in lists if values is not None]
    if not given:
        return None
    return [v for v in dict.fromkeys(given[0]) if all(v in other for other in given[1:])]


_DAY = 86_400 * 1_000_000  # microseconds
_EPOCH = date(1970, 1, 1).toordinal()
_FIRST_DAY, _LAST_DAY = date.min.toordinal() - _EPOCH, date.max.toordinal() - _EPOCH
_IMPOSSIBLE = (date.max, date.min)  # a range no day is in


def day_range(
    gt: datetime | None, gte: datetime | None, lt: datetime | None, lte: datetime | None
) -> tuple[date | None, date | None]:
    """Inclusive days D whose midnight (UTC) satisfies every comparison; a bare date is its midnight.
    Counted in days since 1970, so a bound beyond the calendar (after 9999-12-31, before 0001-01-01)
    leaves no day on its side or every day."""

    def days(moment: datetime) -> tuple[int, bool]:  # the day it falls in, and whether at its midnight
        day, within = divmod(_micros(moment), _DAY)
        return day, within == 0

    lows, highs = [], []
    for moment, strict in ((gt, True), (gte, False)):
        if moment is not None:
            day, at_midnight = days(moment)
            lows.append(day + int(strict or not at_midnight))
    for moment, strict in ((lt, True), (lte, False)):
        if moment is not None:
            day, at_midnight = days(moment)
            highs.append(day - int(strict and at_midnight))
    low, high = max(lows, default=None), min(highs, default=None)
    if (low is not None and low > _LAST_DAY) or (high is not None and high < _FIRST_DAY):
        return _IMPOSSIBLE
    return (
        None if low is None else date.fromordinal(max(low, _FIRST_DAY) + _EPOCH),
        None if high is None else date.fromordinal(min(high, _LAST_DAY) + _EPOCH),
    )


def millisecond_range(
    gt: datetime | None, gte: datetime | None, lt: datetime | None, lte: datetime | None
) -> tuple[int | None, int | None]:
    """Inclusive Unix milliseconds (creation instants are whole milliseconds) satisfying every comparison."""
    micros = _micros
    lows, highs = [], []
    if gt is not None:
        lows.append(micros(gt) // 1000 + 1)
    if gte is not None:
        lows.append(-(-micros(gte) // 1000))
    if lt is not None:
        highs.append(-(-micros(lt) // 1000) - 1)
    if lte is not None:
        highs.append(micros(lte) // 1000)
    return (max(lows) if lows else None, min(highs) if highs else None)


def number_range(
    eq: int | None, gt: int | None, gte: int | None, lt: int | None, lte: int | None
) -> tuple[int | None, int | None]:
    lows = [v for v in (eq, gte, None if gt is None else gt + 1) if v is not None]
    highs = [v for v in (eq, lte, None if lt is None else lt - 1) if v is not None]
    return (max(lows) if lows else None, min(highs) if highs else None)
