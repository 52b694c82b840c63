"""GET /v1/financing_offers: the tenant's credit line as Monite's financing offers and business status."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.credit_line import CreditLineStore
from financing.api.core import caller, respond
from financing.api.monite import monite_api, monite_entrypoint
from financing.auth.scopes import Scope
from financing.families.monite.errors import monite_responses
from financing.families.monite.offers import FinancingOffersResponse, offers_response
from financing.services.financing_offers import credit_line

app = monite_api()


@app.get(
    "/v1/financing_offers",
    summary="Financing offers and business status (Monite-shaped)",
    description="`ONBOARDED` with one `CURRENT` offer once a lender set the tenant's credit line "
    "(`available_amount` = line - principal outstanding), else `NEW` with no offer.",
    tags=["Financing (Monite)"],
    responses=monite_responses(200, FinancingOffersResponse, "The business status and its offers."),
)
def offers() -> Response[FinancingOffersResponse]:
    line = credit_line(CreditLineStore(), caller(app))
    return respond(200, offers_response(line).model_dump(mode="json"))


lambda_handler = monite_entrypoint(app, scope=Scope.INVOICES_READ)
