"""GET /v1/buyer_limits/{buyer_limit_id}: one buyer limit of the caller's tenant, with what is available."""

from financing.adapters.buyer_limits import BuyerLimitStore
from financing.adapters.exposure import ExposureStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.families.core.buyer_limits import BuyerLimitObject, buyer_limit_object
from financing.families.core.errors import core_responses
from financing.services.buyer_limits import get_buyer_limit

app = core_api()


@app.get(
    "/v1/buyer_limits/<buyer_limit_id>",
    summary="Retrieve a buyer limit",
    tags=["Buyer limits"],
    responses=core_responses(200, BuyerLimitObject, "The buyer limit."),
)
def retrieve(buyer_limit_id: str) -> BuyerLimitObject:
    actor = caller(app)
    return buyer_limit_object(get_buyer_limit(BuyerLimitStore(), ExposureStore(), actor, buyer_limit_id))


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
