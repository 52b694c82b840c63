"""The one shape of every `POST /v1/invoices/{invoice_id}/<action>` route: validate the body, run the
action once per Idempotency-Key, answer 200 with the invoice."""

from collections.abc import Callable
from typing import Annotated, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from financing.api.core import caller
from financing.api.idempotency import idempotent_response
from financing.composition.invoices import invoice_use_cases
from financing.domain.invoices import Invoice
from financing.families.core.errors import core_responses
from financing.families.core.invoices import InvoiceObject
from financing.services.invoices import Invoices

B = TypeVar("B", bound=BaseModel)


def invoice_action(
    app: APIGatewayRestResolver,
    action: str,
    body_model: type[B],
    perform: Callable[[Invoices, str, B], Invoice],
    *,
    summary: str,
    description: str,
) -> None:
    @app.post(
        f"/v1/invoices/<invoice_id>/{action}",
        summary=summary,
        operation_id=f"invoice_{action}",
        tags=["Invoices"],
        responses=core_responses(200, InvoiceObject, description),
    )
    def route(invoice_id: str, body: Annotated[body_model, Body()]) -> Response[InvoiceObject]:  # type: ignore[valid-type]
        invoices = invoice_use_cases(caller(app))
        return idempotent_response(
            app, invoices.actor.tenant_id, lambda: (200, invoices.render(perform(invoices, invoice_id, body)))
        )
