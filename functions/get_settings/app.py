"""GET /v1/settings: the caller's tenant settings (the defaults until it saves its own)."""

from financing.adapters.settings import SettingsStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.families.core.errors import core_responses
from financing.families.core.settings import SettingsObject, settings_object
from financing.services.settings import get_settings

app = core_api()


@app.get(
    "/v1/settings",
    summary="Retrieve the settings",
    tags=["Settings"],
    responses=core_responses(200, SettingsObject, "The tenant's settings."),
)
def retrieve() -> SettingsObject:
    actor = caller(app)
    return settings_object(get_settings(SettingsStore(), actor))


lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
