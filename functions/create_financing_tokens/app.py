"""POST /v1/financing_tokens: a connect token for the business's hosted financing page."""

from aws_lambda_powertools.event_handler import Response

from financing.api.core import caller
from financing.api.idempotency import idempotent_response
from financing.api.monite import business, monite_api, monite_entrypoint
from financing.auth.financing_tokens import Purpose, issue
from financing.auth.scopes import Scope
from financing.clock import now
from financing.families.monite.errors import monite_responses
from financing.families.monite.tokens import FinancingTokenResponse

app = monite_api()


@app.post(
    "/v1/financing_tokens",
    summary="Create a connect token (Monite-shaped)",
    description="A connect token naming the caller's business (tenant and entity), signed and valid for "
    "15 minutes, for the hosted financing page: `GET /v1/financing_connect` exchanges it for the "
    "business's offer. It opens nothing else: the API's authorizer refuses it. Honours `Idempotency-Key`.",
    tags=["Financing (Monite)"],
    responses=monite_responses(201, FinancingTokenResponse, "The connect token."),
)
def tokens() -> Response[FinancingTokenResponse]:
    actor = caller(app)

    def mint() -> tuple[int, dict]:
        moment = now()
        return 201, {"connect_token": issue(Purpose.CONNECT, business(app, moment), now=moment)}

    return idempotent_response(app, actor.tenant_id, mint)


lambda_handler = monite_entrypoint(app, scope=Scope.INVOICES_READ)
