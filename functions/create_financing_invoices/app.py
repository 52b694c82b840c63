"""POST /v1/financing_invoices: submit 1 to 10 invoices for financing in one session, all or nothing."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.credit_line import CreditLineStore
from financing.api.core import caller
from financing.api.idempotency import idempotent_response
from financing.api.monite import business, monite_api, monite_entrypoint
from financing.auth.financing_tokens import issue_pair
from financing.auth.scopes import Scope
from financing.clock import now
from financing.composition.invoices import invoice_use_cases
from financing.families.monite.errors import monite_responses
from financing.families.monite.invoices import (
    FinancingPushInvoicesRequest,
    FinancingPushInvoicesResponse,
    financing_invoice,
)
from financing.services.financing_push import push_for_financing, session_summary

app = monite_api()


@app.post(
    "/v1/financing_invoices",
    summary="Request financing for invoices (Monite-shaped)",
    description="Submits each invoice (`id`: the UUID this API lists, or the core `inv_` id; `type` must be "
    "the invoice's) through the same rules as `POST /v1/financing_sessions`, in one session and one "
    "transaction: all are submitted or none. Each invoice records the offer it is pushed under (the "
    "credit line's first pricing plan), which funding applies. Answers Monite's `session_token` and "
    "`connect_token` (signed, 15 minutes, bound to the tenant and entity; exchanged at "
    "`GET /v1/financing_connect`), plus the session and the invoices in `FinancingInvoice` shape. "
    "Honours `Idempotency-Key` (a replay answers the first tokens).",
    tags=["Financing (Monite)"],
    responses=monite_responses(
        201, FinancingPushInvoicesResponse, "The tokens; the session, open; the invoices."
    ),
)
def push(body: Annotated[FinancingPushInvoicesRequest, Body()]) -> Response[dict]:
    invoices = invoice_use_cases(caller(app))

    def submit() -> tuple[int, dict]:
        wanted = [(i.id, i.type) for i in body.invoices]
        submitted = push_for_financing(invoices, CreditLineStore(), wanted)
        session = session_summary(submitted, submitted[0].sessions[-1].id)
        names = invoices.buyer_names(submitted)
        moment = now()
        tokens = issue_pair(business(app, moment), session["id"], [i.id for i in submitted], now=moment)
        return 201, {
            **tokens,
            "session": session,
            "invoices": [financing_invoice(i, names.get(i.buyer)) for i in submitted],
        }

    return idempotent_response(app, invoices.actor.tenant_id, submit)


lambda_handler = monite_entrypoint(app, scope=Scope.INVOICES_WRITE)
