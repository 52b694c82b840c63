"""The caller, as the authorizer verified it: tenant, subject and scopes come only from its context."""

from typing import Any

from financing.domain.actor import Actor, is_tenant_id
from financing.families.refusals import MissingScope, Unauthenticated


def actor_of(event: dict[str, Any], correlation_id: str, scope: str) -> Actor:
    """The verified caller of `event`, who must hold `scope` (401 without a tenant, 403 without the scope)."""
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    tenant_id = context.get("tenant_id")
    if not is_tenant_id(tenant_id):
        raise Unauthenticated()
    scopes = frozenset(str(context.get("scope", "")).split())
    if scope not in scopes:
        raise MissingScope(scope)
    return Actor(
        tenant_id=tenant_id,
        subject=str(context.get("sub") or context.get("principalId") or ""),
        scopes=scopes,
        correlation_id=correlation_id,
    )
