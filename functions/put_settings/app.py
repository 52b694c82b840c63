"""PUT /v1/settings: replace the caller's tenant settings as a whole (conditional on their version)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.concentration import Portfolio
from financing.adapters.dynamo import EntityTable
from financing.adapters.settings import SettingsStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.composition.settings import settings_event
from financing.families.core.errors import core_responses
from financing.families.core.settings import SettingsObject, SettingsPut, settings_object, settings_terms
from financing.services.settings import replace_settings

app = core_api()


@app.put(
    "/v1/settings",
    summary="Replace the settings",
    tags=["Settings"],
    responses=core_responses(200, SettingsObject, "The tenant's settings, replaced."),
)
def replace(body: Annotated[SettingsPut, Body()]) -> SettingsObject:
    actor, table = caller(app), EntityTable()
    return settings_object(
        replace_settings(
            SettingsStore(table), actor, settings_terms(body), Portfolio(table), announce=settings_event
        )
    )


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
