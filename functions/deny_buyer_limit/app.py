"""POST /v1/buyer_limits/{buyer_limit_id}/deny: refuse a pending limit, saying why."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.buyer_limits import BuyerLimitStore
from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.buyer_limits import buyer_limit_event
from financing.families.core.buyer_limits import BuyerLimitDeny, BuyerLimitObject, buyer_limit_object
from financing.families.core.errors import core_responses
from financing.services.buyer_limits import deny_buyer_limit

app = core_api()


@app.post(
    "/v1/buyer_limits/<buyer_limit_id>/deny",
    summary="Deny a buyer limit",
    tags=["Buyer limits"],
    responses=core_responses(200, BuyerLimitObject, "The limit, denied."),
)
def deny(buyer_limit_id: str, body: Annotated[BuyerLimitDeny, Body()]) -> Response[BuyerLimitObject]:
    actor = caller(app)
    return idempotent_response(
        app,
        actor.tenant_id,
        lambda: (
            200,
            buyer_limit_object(
                deny_buyer_limit(
                    BuyerLimitStore(), actor, buyer_limit_id, body.reason, announce=buyer_limit_event
                )
            ).model_dump(mode="json"),
        ),
    )


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
