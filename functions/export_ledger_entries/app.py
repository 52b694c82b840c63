"""GET /v1/ledger/entries.csv: the journal as CSV for a general-ledger import, one row per posting;
the same filters and cursor as the JSON listing (the next page's cursor is in `x-next-cursor`)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, core_api, entrypoint
from financing.api.ledger import journal_page
from financing.auth.scopes import Scope
from financing.domain.ledger import Account
from financing.families.core.errors import core_responses_as
from financing.families.core.ledger import journal_csv
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, QueryDate, id_filter

app = core_api()
CSV = core_responses_as(
    200,
    {"text/csv": {"schema": {"type": "string"}}},
    "The entries' postings as CSV (RFC 4180, header row); `x-next-cursor` resumes the export.",
)


@app.get(
    "/v1/ledger/entries.csv",
    summary="Export journal entries as CSV",
    description="The same pages as `GET /v1/ledger/entries`, under the same read budget: a page may hold "
    "fewer rows than `limit` entries' postings, even none, and still have an `x-next-cursor`; follow it "
    "until it is absent.",
    tags=["Ledger"],
    responses=CSV,
)
def export(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    invoice: id_filter("inv", "Only this invoice's entries") = None,
    account: Annotated[Account | None, Query(description="Only entries posting to this account")] = None,
    posted_from: Annotated[QueryDate | None, Query(description="Posted on or after this date")] = None,
    posted_to: Annotated[
        QueryDate | None, Query(description="Posted on or before this date (default today)")
    ] = None,
):
    entries, next_cursor = journal_page(
        caller(app),
        invoice=invoice,
        account=account,
        posted_from=posted_from,
        posted_to=posted_to,
        limit=limit,
        cursor=cursor,
    )
    headers = {"x-next-cursor": next_cursor} if next_cursor else {}
    return Response(
        status_code=200, content_type="text/csv; charset=utf-8", body=journal_csv(entries), headers=headers
    )


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
