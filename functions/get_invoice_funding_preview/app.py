"""GET /v1/invoices/{invoice_id}/funding_preview: what funding the invoice would book now, written nowhere."""

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.invoices import FundingPreviewObject, funding_preview_object

app = core_api()


@app.get(
    "/v1/invoices/<invoice_id>/funding_preview",
    summary="Preview an invoice's funding",
    description="The advance, fee, IOF, claim and dates that `POST /v1/invoices/{invoice_id}/fund` would "
    "book now with the same terms (the same pricing, from the invoice's offer or the tenant's settings, "
    "and the same checks: status, buyer limit, credit line, concentration), computed by the same domain "
    "function; nothing is written. A refusal is the error `fund` would answer.",
    tags=["Invoices"],
    responses=core_responses(200, FundingPreviewObject, "What funding would book."),
)
def preview(
    invoice_id: str,
    advance_rate_percentage: Annotated[int | None, Query(ge=1, le=10000, description="basis points")] = None,
    fee_percentage: Annotated[int | None, Query(ge=0, le=10000, description="basis points")] = None,
    disbursement_date: Annotated[date | None, Query(description="YYYY-MM-DD; today when absent")] = None,
) -> Response[FundingPreviewObject]:
    invoices = invoice_use_cases(caller(app))
    funded = invoices.preview_funding(invoice_id, advance_rate_percentage, fee_percentage, disbursement_date)
    return respond(200, funding_preview_object(funded))


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
