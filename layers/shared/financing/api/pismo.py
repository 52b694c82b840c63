"""The Pismo family's resolver and entry point: Pismo's error envelope, named once for both."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from financing.api.core import core_api, entrypoint
from financing.families.pismo.errors import pismo_error_for


def pismo_api() -> APIGatewayRestResolver:
    return core_api(pismo_error_for)


def pismo_entrypoint(
    app: APIGatewayRestResolver, *, scope: str
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    return entrypoint(app, scope=scope, error_for=pismo_error_for)
