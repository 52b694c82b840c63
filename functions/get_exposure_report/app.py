"""GET /v1/reports/exposure: per buyer and per supplier, the limit, drawn, available and overdue amounts."""

from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.clock import today
from financing.composition.ledger import ledger_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.ledger import ExposureReportObject, exposure_object

app = core_api()


@app.get(
    "/v1/reports/exposure",
    summary="Exposure per buyer and supplier",
    tags=["Reports"],
    responses=core_responses(200, ExposureReportObject, "Limits, drawn, available and overdue amounts."),
)
def exposure() -> ExposureReportObject:
    buyers, suppliers = ledger_use_cases(caller(app)).exposure()
    return exposure_object(buyers, suppliers, today())


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
