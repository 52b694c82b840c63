"""DELETE /v1/open_finance/consents/{consent_id}: revoke a consent; Open Finance reads under it stop at once."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.consents import ConsentStore
from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.consents import consent_event
from financing.families.core.consents import ConsentObject, consent_object
from financing.families.core.errors import core_responses
from financing.services.consents import revoke_consent

app = core_api()


@app.delete(
    "/v1/open_finance/consents/<consent_id>",
    summary="Revoke a consent",
    tags=["Open Finance consents"],
    responses=core_responses(200, ConsentObject, "The consent, REVOKED (revoking again answers the same)."),
)
def revoke(consent_id: str) -> Response[ConsentObject]:
    consent = revoke_consent(ConsentStore(), caller(app), consent_id, announce=consent_event)
    return respond(200, consent_object(consent).model_dump(mode="json"))


lambda_handler = entrypoint(app, scope=Scope.CONSENTS_MANAGE)
