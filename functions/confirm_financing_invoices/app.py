"""POST /v1/financing_connect/confirm: the business confirms, on the hosted financing page, the invoices
it was quoted; they are submitted for financing and wait in the lender's queue. A connect token, no
bearer JWT."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.credit_line import CreditLineStore
from financing.api.core import core_api
from financing.api.idempotency import idempotent_response
from financing.api.monite import ConnectAuthorization, connect_entrypoint, connect_grant
from financing.auth.financing_tokens import Grant, issue_pair
from financing.clock import now
from financing.composition.invoices import invoice_ports
from financing.correlation import correlation_id_of
from financing.families.monite.errors import monite_error_for, monite_responses
from financing.families.monite.invoices import (
    FinancingPushInvoicesRequest,
    FinancingPushInvoicesResponse,
    financing_invoice,
)
from financing.services.financing_push import confirm, connected, session_summary

app = core_api(monite_error_for)


@app.post(
    "/v1/financing_connect/confirm",
    summary="Confirm the invoices a business picked (hosted financing page)",
    description="Not in Monite's API. `Authorization: Bearer <connect_token>`; the body is the quote's. "
    "Submits the invoices as `POST /v1/financing_invoices` does (one session, all or nothing, each under "
    "the offer's first pricing plan, with the quote's checks): they enter the lender's queue (`NEW`); "
    "nothing is funded here. Answers a fresh `session_token` and `connect_token` (exchanged at "
    "`GET /v1/financing_connect` to follow the invoices' status), the session and the invoices. The "
    "business is the token's, never the request's: another business's invoice is 404 and nothing is "
    "written. Honours `Idempotency-Key` (a replay answers the first tokens).",
    tags=["Financing (Monite)"],
    responses=monite_responses(
        201, FinancingPushInvoicesResponse, "The tokens; the session, open; the invoices."
    ),
)
def confirm_invoices(
    body: Annotated[FinancingPushInvoicesRequest, Body()],
    authorization: ConnectAuthorization = None,
) -> Response[dict]:
    grant = connect_grant(authorization)
    invoices = connected(grant, invoice_ports(), correlation_id_of(app.current_event.raw_event))

    def submit() -> tuple[int, dict]:
        submitted = confirm(invoices, CreditLineStore(), [(i.id, i.type) for i in body.invoices])
        session = session_summary(submitted, submitted[0].sessions[-1].id)
        names = invoices.buyer_names(submitted)
        moment = now()
        business = Grant.starting(
            moment, tenant_id=grant.tenant_id, entity_id=grant.entity_id, subject=grant.subject
        )
        tokens = issue_pair(business, session["id"], [i.id for i in submitted], now=moment)
        return 201, {
            **tokens,
            "session": session,
            "invoices": [financing_invoice(i, names.get(i.buyer)) for i in submitted],
        }

    return idempotent_response(app, grant.tenant_id, submit)


lambda_handler = connect_entrypoint(app)
