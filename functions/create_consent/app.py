"""POST /v1/open_finance/consents: a customer's AUTHORISED consent to share its invoice financings."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.consents import ConsentStore
from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.consents import consent_event
from financing.families.core.consents import ConsentCreate, ConsentObject, consent_object
from financing.families.core.errors import core_responses
from financing.services.consents import create_consent

app = core_api()


@app.post(
    "/v1/open_finance/consents",
    summary="Create a consent",
    tags=["Open Finance consents"],
    responses=core_responses(201, ConsentObject, "The consent, AUTHORISED."),
)
def create(body: Annotated[ConsentCreate, Body()]) -> Response[ConsentObject]:
    actor = caller(app)

    def grant() -> tuple[int, dict]:
        consent = create_consent(
            ConsentStore(),
            actor,
            customer_document=body.customer_document,
            permissions=body.permissions,
            expiration=body.expiration_date_time,
            announce=consent_event,
        )
        return 201, consent_object(consent).model_dump(mode="json")

    return idempotent_response(app, actor.tenant_id, grant)


lambda_handler = entrypoint(app, scope=Scope.CONSENTS_MANAGE)
