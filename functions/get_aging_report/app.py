"""GET /v1/reports/aging: claims outstanding by days past due as of a date, per currency and buyer."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.clock import today
from financing.composition.ledger import ledger_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.ledger import AgingReportsObject, aging_object
from financing.families.core.lists import QueryDate

app = core_api()


@app.get(
    "/v1/reports/aging",
    summary="Aging of outstanding claims",
    description="From the entries posted (booked) through `as_of`: the closing of the month before "
    "`as_of`'s month (or of the latest final month: a month is final an hour after it ends) plus the "
    "entries posted since, so a request reads about one month of entries whatever the tenant's history.",
    tags=["Reports"],
    responses=core_responses(200, AgingReportsObject, "Per currency: the buckets in total and per buyer."),
)
def aging(
    as_of: Annotated[
        QueryDate | None, Query(description="Entries posted through this date (default today)")
    ] = None,
) -> AgingReportsObject:
    day = as_of or today()
    return aging_object(ledger_use_cases(caller(app)).aging(day), day)


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
