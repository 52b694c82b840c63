"""POST /v1/buyer_limits: request a credit limit for a buyer company of the caller's tenant."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.buyer_limits import BuyerLimitStore
from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.buyer_limits import buyer_limit_event
from financing.families.core.buyer_limits import (
    BuyerLimitCreate,
    BuyerLimitObject,
    buyer_limit_object,
    creation_details,
)
from financing.families.core.errors import core_responses
from financing.services.buyer_limits import create_buyer_limit

app = core_api()


@app.post(
    "/v1/buyer_limits",
    summary="Request a buyer limit",
    tags=["Buyer limits"],
    responses=core_responses(
        201, BuyerLimitObject, "The limit, pending; it supersedes the buyer's current one."
    ),
)
def create(body: Annotated[BuyerLimitCreate, Body()]) -> Response[BuyerLimitObject]:
    actor = caller(app)
    return idempotent_response(
        app,
        actor.tenant_id,
        lambda: (
            201,
            buyer_limit_object(
                create_buyer_limit(
                    BuyerLimitStore(), actor, creation_details(body), announce=buyer_limit_event
                )
            ).model_dump(mode="json"),
        ),
    )


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
