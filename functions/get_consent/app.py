"""GET /v1/open_finance/consents/{consent_id}: one consent of the caller's tenant."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.consents import ConsentStore
from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.families.core.consents import ConsentObject, consent_object
from financing.families.core.errors import core_responses
from financing.services.consents import get_consent

app = core_api()


@app.get(
    "/v1/open_finance/consents/<consent_id>",
    summary="Retrieve a consent",
    tags=["Open Finance consents"],
    responses=core_responses(200, ConsentObject, "The consent."),
)
def retrieve(consent_id: str) -> Response[ConsentObject]:
    consent = get_consent(ConsentStore(), caller(app), consent_id)
    return respond(200, consent_object(consent).model_dump(mode="json"))


lambda_handler = entrypoint(app, scope=Scope.CONSENTS_MANAGE)
