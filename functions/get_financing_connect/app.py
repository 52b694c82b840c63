"""GET /v1/financing_connect: the hosted financing page exchanges a connect token (and a session token)
for the business's offer (and the session pushed). No bearer JWT: the route verifies its own tokens."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from financing.api.core import core_api, respond
from financing.api.monite import ConnectAuthorization, connect_grant, monite_entrypoint
from financing.auth.financing_tokens import Purpose, verify
from financing.auth.tokens import InvalidToken
from financing.composition.financing_push import connect_view
from financing.correlation import correlation_id_of
from financing.families.monite.errors import (
    ForeignSessionToken,
    InvalidFinancingToken,
    monite_error_for,
    monite_responses,
)
from financing.families.monite.tokens import FinancingConnectResponse

app = core_api(monite_error_for)


@app.get(
    "/v1/financing_connect",
    summary="Exchange a connect token for the offer (hosted financing page)",
    description="Not in Monite's API (Monite hands its tokens to its partner's hosted UI). `Authorization: "
    "Bearer <connect_token>` (from `POST /v1/financing_tokens` or `POST /v1/financing_invoices`): the "
    "business's offers and its draft invoices (what it may quote and confirm). With `x-financing-session: <session_token>` (from the push, same business): also "
    "that session and its invoices. The API's authorizer does not guard this route and its bearer "
    "tokens do not open it: a forged, expired or foreign token is 401, a session token of another "
    'business 403, both in `{"error": {"message"}}` saying nothing more.',
    tags=["Financing (Monite)"],
    responses=monite_responses(
        200, FinancingConnectResponse, "The offers and draft invoices, and the session when asked for."
    ),
)
def connect(
    authorization: ConnectAuthorization = None,
    session_token: Annotated[
        str | None,
        Header(alias="x-financing-session", description="A session token of the same business (optional)."),
    ] = None,
) -> Response[dict]:
    grant = connect_grant(authorization)
    try:
        session = verify(session_token, Purpose.SESSION) if session_token is not None else None
    except InvalidToken:
        raise InvalidFinancingToken() from None
    if session is not None and not session.same_business(grant):
        raise ForeignSessionToken()
    body = connect_view(
        grant,
        session,
        correlation_id_of(app.current_event.raw_event),
    )
    return respond(200, body)


lambda_handler = monite_entrypoint(app, scope=None)
