"""`Idempotency-Key` on POSTs (DESIGN section 4): per tenant and route for 24 h, on Powertools idempotency.

Same key and body replays the first status and body; same key and another body is 422. A request
that finds the key in flight waits a few seconds for the first to finish and replays its answer
(so a client's parallel retries all get the same body); still in flight after that, it is 409.
Failed requests are not remembered. Fields shown only once (a webhook secret) are never remembered:
the replay answers them as null.
"""

import time
from collections.abc import Callable
from functools import cache
from typing import Any

from financing import exact_json
from financing.adapters.aws import client
from financing.config import settings
from financing.families.refusals import InvalidIdempotencyKey

HEADER = "idempotency-key"
TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255
WAIT_FOR_FIRST_SECONDS = 5.0

Outcome = tuple[int, dict[str, Any]]


def idempotency_key_of(event: dict[str, Any]) -> str | None:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER:
            if not value or len(value) > MAX_KEY_LENGTH or not value.isprintable():
                raise InvalidIdempotencyKey()
            return value
    return None


@cache
def _remembered() -> Callable[..., dict[str, Any]]:
    # Powertools' idempotency (and boto3, which it imports) is loaded only by a request that carries a key.
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    store = DynamoDBPersistenceLayer(
        table_name=settings().idempotency_table_name, boto3_client=client("dynamodb")
    )
    config = IdempotencyConfig(
        event_key_jmespath="[tenant, route, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=TTL_SECONDS,
    )

    @idempotent_function(
        data_keyword_argument="request", persistence_store=store, config=config, key_prefix="api"
    )
    def remembered(*, request: dict[str, Any], action: Callable[[], Outcome]) -> dict[str, Any]:
        status, body = action()
        # Kept as exact JSON text: Powertools' own encoding would remember the body's decimals as strings.
        return {"status": status, "body": exact_json.dumps(body)}

    remembered.config = config  # type: ignore[attr-defined]
    return remembered


def run_idempotently(
    event: dict[str, Any],
    tenant_id: str,
    action: Callable[[], Outcome],
    lambda_context: Any,
    withheld: frozenset[str] = frozenset(),
) -> Outcome:
    """Run `action` once per Idempotency-Key; without a key, just run it. The top-level fields `withheld`
    are answered by the first request only: the remembered outcome (and so every replay) holds them as null."""
    key = idempotency_key_of(event)
    if key is None:
        return action()
    if lambda_context is not None:
        # An in-flight marker then expires with the invocation, not 24 h later, if the process dies.
        _remembered().config.register_lambda_context(lambda_context)
    body = event.get("body") or ""
    try:
        payload: Any = exact_json.loads(body) if body else None
    except ValueError:
        payload = body
    request = {
        "tenant": tenant_id,
        "route": f"{event.get('httpMethod')} {event.get('path')}",
        "key": key,
        "body": payload,
    }
    answered: list[Outcome] = []

    def remembered_part() -> Outcome:
        status, answer = action()
        answered.append((status, answer))
        if not withheld:
            return status, answer
        return status, {name: None if name in withheld else value for name, value in answer.items()}

    outcome = _remembered_or_awaited(request, remembered_part, lambda_context)
    return answered[0] if answered else (outcome["status"], _replayed(outcome["body"]))


def _replayed(body: Any) -> Any:
    """A remembered body as answered (remembered as JSON data before bodies were kept as exact JSON text)."""
    return exact_json.loads(body) if isinstance(body, str) else body


def _remembered_or_awaited(request: dict[str, Any], action: Callable[[], Outcome], context: Any) -> dict:
    """The first request's outcome, waiting (never past the invocation's own deadline) while it runs."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    wait = WAIT_FOR_FIRST_SECONDS
    if context is not None:
        wait = min(wait, context.get_remaining_time_in_millis() / 1000 - 1)
    deadline, pause = time.monotonic() + wait, 0.05
    while True:
        try:
            return _remembered()(request=request, action=action)
        except IdempotencyAlreadyInProgressError:
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def idempotent_response(
    app: Any, actor_tenant_id: str, action: Callable[[], Outcome], withheld: frozenset[str] = frozenset()
) -> Any:
    """A POST route's answer: `action`'s outcome, or the first outcome under the same Idempotency-Key
    (with the fields `withheld` as null)."""
    from financing.api.core import respond

    status, body = run_idempotently(
        app.current_event.raw_event, actor_tenant_id, action, app.lambda_context, withheld=withheld
    )
    return respond(status, body)
