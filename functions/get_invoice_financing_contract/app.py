"""GET /open-banking/invoice-financings/v2/contracts/{contractId}: one contract's details."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from financing.api.core import caller
from financing.api.open_finance import consent_id_of, open_finance_api, open_finance_entrypoint, reply
from financing.composition.open_finance import shared_contracts
from financing.domain.consents import Permission
from financing.families.open_finance.contracts import contract
from financing.families.open_finance.errors import open_finance_responses

app = open_finance_api()


@app.get(
    "/open-banking/invoice-financings/v2/contracts/<contractId>",
    summary="Retrieve an invoice-financing contract",
    tags=["Open Finance Brasil"],
    responses=open_finance_responses("The contract (ResponseInvoiceFinancingsContract)."),
)
def retrieve(contractId: str) -> Response[dict[str, Any]]:
    shared = shared_contracts(caller(app), consent_id_of(app)).contract(
        contractId, Permission.INVOICE_FINANCINGS_READ
    )
    assert shared.invoice is not None
    return reply(app, contract(shared.invoice, shared.settings), None, 1)


lambda_handler = open_finance_entrypoint(app)
