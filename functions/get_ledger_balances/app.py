"""GET /v1/ledger/balances: the trial balance per currency as of a date (the tenant's, or one invoice's
sub-ledger with `invoice`)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.clock import today
from financing.composition.ledger import ledger_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.ledger import TrialBalancesObject, trial_balances_object
from financing.families.core.lists import QueryDate, id_filter

app = core_api()


@app.get(
    "/v1/ledger/balances",
    summary="Trial balance per currency",
    description="Each account's balance from the entries posted (booked) through `as_of`. The tenant's "
    "balances are the closing balances of the month before `as_of`'s month (or of the latest final "
    "month: a month is final an hour after it ends) plus the entries posted since, so a request reads "
    "about one month of entries whatever the tenant's history. A final month's closing is computed from "
    "its entries by the first request that needs it and stored once.",
    tags=["Ledger"],
    responses=core_responses(
        200, TrialBalancesObject, "Each account's balance per currency, as of the date."
    ),
)
def balances(
    as_of: Annotated[
        QueryDate | None, Query(description="Entries posted through this date (default today)")
    ] = None,
    invoice: id_filter("inv", "Only this invoice's sub-ledger") = None,
) -> TrialBalancesObject:
    day = as_of or today()
    return trial_balances_object(ledger_use_cases(caller(app)).trial_balances(day, invoice), day, invoice)


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
