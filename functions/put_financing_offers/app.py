"""PUT /v1/financing_offers: a lender sets the tenant's credit line (announced as financing_offer.updated)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.credit_line import CreditLineStore
from financing.api.core import caller, respond
from financing.api.monite import monite_api, monite_entrypoint
from financing.auth.scopes import Scope
from financing.composition.financing_offers import offers_event
from financing.families.monite.errors import monite_responses
from financing.families.monite.offers import CreditLineBody, FinancingOffersResponse, offers_response
from financing.services.financing_offers import set_credit_line

app = monite_api()


@app.put(
    "/v1/financing_offers",
    summary="Set the tenant's credit line (lender)",
    description="Not in Monite's API: the lender's side of the offers. Sets the line's total (minor units), "
    "currency and pricing plans; principal already drawn stays drawn. Funding then draws each advance "
    "on the line (409 `credit_line_exceeded` beyond it) and full repayment gives it back. "
    "The currency cannot change while principal is outstanding (409).",
    tags=["Financing (Monite)"],
    responses=monite_responses(200, FinancingOffersResponse, "The offers as the tenant now sees them."),
)
def put(body: Annotated[CreditLineBody, Body()]) -> Response[FinancingOffersResponse]:
    line = set_credit_line(
        CreditLineStore(),
        caller(app),
        total_amount=body.total_amount,
        currency=body.currency.lower(),
        plans=[plan.plan() for plan in body.pricing_plans],
        announce=offers_event,
    )
    return respond(200, offers_response(line).model_dump(mode="json"))


lambda_handler = monite_entrypoint(app, scope=Scope.LENDER_OPERATE)
