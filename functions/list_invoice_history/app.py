"""GET /v1/invoices/{invoice_id}/history: every transition of the invoice, oldest first."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.lists import MAX_LIMIT, ListObject
from financing.families.core.pagination import Cursor, list_cursors

app = core_api()


class HistoryEntry(BaseModel):
    object: Literal["invoice.transition"] = "invoice.transition"
    action: str
    from_status: str
    to_status: str
    reason: str | None
    actor: str
    created: str
    correlation_id: str


@app.get(
    "/v1/invoices/<invoice_id>/history",
    summary="List an invoice's transitions",
    tags=["Invoices"],
    responses=core_responses(200, ListObject[HistoryEntry], "The transitions, oldest first."),
)
def history(
    invoice_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = MAX_LIMIT,
    cursor: Cursor = None,
) -> Response[ListObject[HistoryEntry]]:
    invoices = invoice_use_cases(caller(app))
    cursors = list_cursors(invoices.actor.tenant_id, "history", invoice_id)
    entries, more = invoices.history(invoice_id, limit=limit, after=cursors.after(cursor))
    data = [
        HistoryEntry(
            action=e["action"],
            from_status=e["from"],
            to_status=e["to"],
            reason=e.get("reason"),
            actor=e["actor"],
            created=e["at"],
            correlation_id=e["correlation_id"],
        ).model_dump()
        for e in entries
    ]
    next_cursor = cursors.next(entries[-1]["sk"] if more else None)
    return respond(200, {"object": "list", "data": data, "has_more": more, "next_cursor": next_cursor})


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
