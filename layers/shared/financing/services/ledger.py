"""Ledger use cases: the journal (filtered, by page), trial balances, the aging and exposure reports."""

from datetime import date
from functools import cached_property

from financing.clock import now, today
from financing.domain import ledger, reports
from financing.domain.actor import Actor
from financing.domain.errors import FieldProblem, InvalidInput, Unprocessable
from financing.domain.invoices import Invoice
from financing.domain.ledger import (
    Account,
    JournalEntry,
    MonthClosing,
    last_final_month,
    month_end,
    month_of,
    next_month,
    previous_month,
)
from financing.domain.lifecycle import EXPOSED
from financing.ids import is_id
from financing.services.ports import Exposures, InvoiceStore, Journal

PAGE = 100


def _not_after_today(field: str, day: date) -> None:
    if day > today():
        raise InvalidInput([FieldProblem(field, "cannot be after today")])


class Ledger:
    """The ledger use cases of one caller over the journal, the buyers' exposures and the invoices
    (constructed per request by financing.composition.ledger)."""

    def __init__(self, actor: Actor, journal: Journal, exposures: Exposures, invoices: InvoiceStore) -> None:
        self.actor = actor
        self.store = journal
        self.exposures = exposures
        self.invoices = invoices

    def entries(
        self,
        *,
        invoice: str | None,
        account: Account | None,
        posted_from: date | None,
        posted_to: date | None,
        limit: int,
        after: str | None,
    ) -> tuple[list[JournalEntry], str | None]:
        """A page of the journal, oldest first, and the position the next page resumes from (None: no
        more): one invoice's entries (its index) or the tenant's (its month partitions), optionally only
        those posting to `account`, posted within the dates. The page reads under the list budget, so a
        rare account may give a short page, even an empty one, that still has a next position."""
        problems = []
        if invoice is not None and not is_id("inv", invoice):
            problems.append(FieldProblem("invoice", "is not an invoice id"))
        if posted_from and posted_to and posted_from > posted_to:
            problems.append(FieldProblem("posted_to", "must not be before posted_from"))
        if problems:
            raise InvalidInput(problems)
        # Nothing is posted after today: a later end of the tenant's journal would only read empty months.
        end = posted_to if invoice is not None else min(posted_to or today(), today())
        return self.store.page(
            self.actor.tenant_id,
            invoice_id=invoice,
            start=posted_from,
            end=end,
            after=after,
            account=account,
            limit=limit,
        )

    def trial_balances(self, as_of: date, invoice: str | None = None) -> list[ledger.TrialBalance]:
        """The tenant's (or one invoice's) balances per currency and account, from the entries posted
        through `as_of`: the tenant's from the closing of the month before `as_of`'s (or the latest
        final one) and the entries posted since."""
        if invoice is None:
            _not_after_today("as_of", as_of)
            opening, since = self._opening(month_of(as_of))
            if since is None:
                return []
            entries = self.store.journal_from(self.actor.tenant_id, since, end=as_of)
            return ledger.trial_balances(entries, opening.balances)
        if not is_id("inv", invoice):
            raise InvalidInput([FieldProblem("invoice", "is not an invoice id")])
        _not_after_today("as_of", as_of)
        return ledger.trial_balances(self.store.of_invoice(self.actor.tenant_id, invoice, end=as_of))

    @cached_property
    def _first_month(self) -> str | None:
        """The month of the tenant's oldest possible entry (None: no journal), looked up once a request."""
        return self.store.first_month(self.actor.tenant_id)

    def _opening(self, month: str) -> tuple[MonthClosing, str | None]:
        """What the entries before `month` sum to as far as final months' closings give it (the closing
        of the month before, or of the latest final month), and the month from which entries must be
        added (None: the tenant has no journal). A final month's closing missing on the way is computed
        from its entries once and stored (read-through: a later request reads one item instead)."""
        tenant = self.actor.tenant_id
        base = min(previous_month(month), last_final_month(now()))
        closing = self.store.closing(tenant, through=base)
        if closing is None:
            first = self._first_month
            if first is None:
                return MonthClosing(tenant, month, {}, ledger.NO_AGING), None
            closing = MonthClosing(tenant, previous_month(first), {}, ledger.NO_AGING)
        while closing.month < base:
            reached = next_month(closing.month)
            entries = list(self.store.journal_from(tenant, reached, end=month_end(reached)))
            closing = MonthClosing(
                tenant,
                reached,
                ledger.balances(entries, closing.balances),
                ledger.aging_positions(entries, closing.aging),
                ledger.month_volume(entries),
            )
            self.store.close(closing)
        return closing, next_month(closing.month)

    def aging(self, as_of: date) -> list[ledger.AgingReport]:
        """Claims outstanding by days past due on `as_of`: the closing before `as_of`'s month and the
        entries posted since, as for trial balances."""
        _not_after_today("as_of", as_of)
        opening, since = self._opening(month_of(as_of))
        if since is None:
            return []
        entries = self.store.journal_from(self.actor.tenant_id, since, end=as_of)
        return ledger.aging_report(ledger.aging_positions(entries, opening.aging), as_of)

    def volume(self, first: str, last: str) -> list[ledger.VolumeReport]:
        """Per currency and month from `first` through `last` (YYYY-MM, at most MAX_VOLUME_MONTHS), what
        was funded and collected, from the entries posted in each month. A final month's volume is its
        closing's (made and stored on the way, as for trial balances; one Query reads their volumes);
        only the months not final yet (this one, and the last for an hour after it ends) read their
        entries, so a request reads about one month of entries whatever the span."""
        _reportable_months(first, last)
        closing, since = self._opening(next_month(last))
        if since is None:
            return []
        totals = self._closed_volumes(first, min(last, closing.month), since)
        if since <= last:
            end = min(month_end(last), today())
            totals |= ledger.volumes(
                self.store.journal_from(self.actor.tenant_id, max(since, first), end=end)
            )
        return ledger.volume_report(totals, first, last)

    def _closed_volumes(self, first: str, last: str, since: str) -> dict[tuple[str, str], ledger.Volume]:
        """Per (month, currency) from `first` through `last`, months that have a closing (`since` is the
        month after the latest): its volume, or, for a closing stored without one (before closings kept
        it) or not stored (too large), the volume of the month's own entries."""
        tenant = self.actor.tenant_id
        kept = self.store.volumes(tenant, first=first, last=last)
        missing = [month for month in ledger.months_between(first, last) if month not in kept]
        if missing:  # no entry is older than the tenant's first month: the months before it are zeros
            begins = self._first_month or since
            for month in (m for m in missing if m >= begins):
                entries = self.store.journal_from(tenant, month, end=month_end(month))
                kept[month] = ledger.month_volume(entries)
        return {(month, currency): v for month, volume in kept.items() for currency, v in volume.items()}

    def exposure(self) -> tuple[list[reports.PartyExposure], list[reports.PartyExposure]]:
        tenant = self.actor.tenant_id
        return reports.exposure_report(self.exposures.all(tenant), _exposed(self.invoices, tenant), today())


def _reportable_months(first: str, last: str) -> None:
    """Refuse a span the volume report does not answer: backwards, over MAX_VOLUME_MONTHS, or ending
    after this month (422: well-formed months that cannot be reported)."""
    problems = []
    if first > last:
        problems.append(FieldProblem("to", "must not be before from"))
    elif ledger.months_apart(first, last) >= ledger.MAX_VOLUME_MONTHS:
        problems.append(FieldProblem("to", f"at most {ledger.MAX_VOLUME_MONTHS} months after from"))
    if last > month_of(today()):
        problems.append(FieldProblem("to", "cannot be after this month"))
    if problems:
        raise Unprocessable("The months cannot be reported.", problems)


def _exposed(store: InvoiceStore, tenant_id: str) -> list[Invoice]:
    """The tenant's financed, overdue and defaulted invoices, from their status indexes."""
    found: list[Invoice] = []
    for status in sorted(EXPOSED):
        after = None
        while True:
            page = store.page(tenant_id, limit=PAGE, after=after, filters={"status": status.value})
            found += page.invoices
            if not page.more:
                break
            after = page.last_examined
    return found
