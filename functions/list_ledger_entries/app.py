"""GET /v1/ledger/entries: the tenant's journal entries, oldest first, by cursor; filters: invoice,
account, posting dates."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, core_api, entrypoint
from financing.api.ledger import journal_page
from financing.auth.scopes import Scope
from financing.domain.ledger import Account
from financing.families.core.errors import core_responses
from financing.families.core.ledger import LedgerEntryObject, entry_object
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, ListObject, QueryDate, id_filter

app = core_api()


@app.get(
    "/v1/ledger/entries",
    summary="List journal entries",
    description="Oldest first. Every page reads under a budget (Queries asking for at most 1,000 entries "
    "in all, at most 40 DynamoDB Queries sent): with a rare `account` over a long journal a page may end "
    "early with fewer than `limit` entries, even none, and `has_more` with a `next_cursor` positioned at "
    "the last entry examined; walking the cursors returns every matching entry once, in order.",
    tags=["Ledger"],
    responses=core_responses(200, ListObject[LedgerEntryObject], "A page of journal entries, oldest first."),
)
def list_(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    invoice: id_filter("inv", "Only this invoice's entries") = None,
    account: Annotated[Account | None, Query(description="Only entries posting to this account")] = None,
    posted_from: Annotated[QueryDate | None, Query(description="Posted on or after this date")] = None,
    posted_to: Annotated[
        QueryDate | None, Query(description="Posted on or before this date (default today)")
    ] = None,
) -> ListObject[LedgerEntryObject]:
    entries, next_cursor = journal_page(
        caller(app),
        invoice=invoice,
        account=account,
        posted_from=posted_from,
        posted_to=posted_to,
        limit=limit,
        cursor=cursor,
    )
    return ListObject(
        data=[entry_object(e) for e in entries], has_more=next_cursor is not None, next_cursor=next_cursor
    )


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
