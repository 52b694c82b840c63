"""GET /v1/reports/volume: per month and currency, the advances funded and the payments collected."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.clock import today
from financing.composition.ledger import ledger_use_cases
from financing.domain.ledger import month_of, months_before
from financing.families.core.errors import core_responses
from financing.families.core.ledger import VolumeReportsObject, volume_object
from financing.families.core.lists import QueryMonth

app = core_api()


@app.get(
    "/v1/reports/volume",
    summary="Funded and collected by month",
    description="Per calendar month (UTC) the entries were posted (booked) in and per currency: the "
    "advances funded and the buyers' payments collected, every month of the span present (zeros where "
    "nothing moved). A final month's figures come from its closing, so a request reads about one month "
    "of entries whatever the span. `from` after `to`, `to` after this month or a span over 36 months "
    "is a 422.",
    tags=["Reports"],
    responses=core_responses(200, VolumeReportsObject, "Per currency: each month's funded and collected."),
)
def volume(
    from_: Annotated[
        QueryMonth | None,
        Query(alias="from", description="First month, YYYY-MM (default: 11 months before `to`)"),
    ] = None,
    to: Annotated[QueryMonth | None, Query(description="Last month, YYYY-MM (default this month)")] = None,
) -> VolumeReportsObject:
    last = to or month_of(today())
    first = from_ or months_before(last, 11)
    return volume_object(ledger_use_cases(caller(app)).volume(first, last))


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
