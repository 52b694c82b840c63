"""DELETE /v1/invoices/{invoice_id}: delete a draft invoice (only while it is a draft)."""

from typing import Literal

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel

from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.core.errors import core_responses

app = core_api()


class Deleted(BaseModel):
    id: str
    object: Literal["invoice"] = "invoice"
    deleted: Literal[True] = True


@app.delete(
    "/v1/invoices/<invoice_id>",
    summary="Delete a draft invoice",
    tags=["Invoices"],
    responses=core_responses(200, Deleted, "The invoice is deleted."),
)
def delete(invoice_id: str) -> Response[Deleted]:
    invoices = invoice_use_cases(caller(app))
    return respond(200, Deleted(id=invoices.delete(invoice_id).id).model_dump())


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
