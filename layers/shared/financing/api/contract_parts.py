"""The one shape of `GET /open-banking/invoice-financings/v2/contracts/{contractId}/<part>`: the
contract under the consent's permission for that part, the page asked for, `render`'s data in the
spec's envelope."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from financing.api.core import caller
from financing.api.open_finance import Page, PageSize, PaginationKey, consent_id_of, reply
from financing.composition.open_finance import shared_contracts
from financing.domain.consents import Permission
from financing.domain.invoices import Invoice
from financing.families.open_finance.errors import open_finance_responses
from financing.families.open_finance.pagination import DEFAULT_PAGE_SIZE, PageRequest

# (invoice, page request) -> (the data for this page, how many records the whole listing has)
Render = Callable[[Invoice, PageRequest], tuple[Any, int]]


def contract_part(
    app: APIGatewayRestResolver,
    part: str,
    permission: Permission,
    render: Render,
    *,
    summary: str,
    description: str,
) -> None:
    @app.get(
        f"/open-banking/invoice-financings/v2/contracts/<contractId>/{part}",
        summary=summary,
        operation_id=f"invoice_financing_contract_{part.replace('-', '_')}",
        tags=["Open Finance Brasil"],
        responses=open_finance_responses(description),
    )
    def route(
        contractId: str,
        page: Page = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        pagination_key: PaginationKey = None,
    ) -> Response[dict[str, Any]]:
        shared, request = shared_contracts(caller(app), consent_id_of(app)).contract_page(
            contractId, permission, page, page_size, pagination_key, part
        )
        assert shared.invoice is not None
        data, total = render(shared.invoice, request)
        return reply(app, data, request, total)
