"""The journal listing both its JSON and CSV routes serve: one cursor binding, one page read."""

from datetime import date

from financing.composition.ledger import ledger_use_cases
from financing.domain.actor import Actor
from financing.domain.ledger import Account, JournalEntry
from financing.families.core.pagination import list_cursors


def journal_page(
    actor: Actor,
    *,
    invoice: str | None,
    account: Account | None,
    posted_from: date | None,
    posted_to: date | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[JournalEntry], str | None]:
    """A page of entries and the cursor of the next one (None at the end): the position the page reached,
    which may be past its last entry (a page ends early once its read budget is spent). The cursor is
    bound to the filters, so it resumes this listing only (in either format)."""
    cursors = list_cursors(
        actor.tenant_id, "ledger_entries", invoice, account and account.value, posted_from, posted_to
    )
    entries, position = ledger_use_cases(actor).entries(
        invoice=invoice,
        account=account,
        posted_from=posted_from,
        posted_to=posted_to,
        limit=limit,
        after=cursors.after(cursor),
    )
    return entries, cursors.next(position)
