"""Example subscriber: receives invoice.financed and the registration outcomes from the platform's bus."""

from __future__ import annotations

import json
from typing import Any

from financing_events import Detail, Invoice, RefusedReceivable, parse


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail = parse(event["detail-type"], event["detail"])
    # A replayed event carries EventBridge's `replay-name`; it is otherwise the event as first delivered.
    summary = {"received": detail.type, "event_id": detail.id, "replayed": "replay-name" in event}
    summary.update(describe(detail))
    print(json.dumps({"subscriber": summary}, default=str))
    return summary


def describe(detail: Detail[Any]) -> dict[str, Any]:
    """What a real subscriber would act on (book the advance, update its records); here, just named."""
    payload = detail.object
    if isinstance(payload, Invoice):
        return {
            "tenant": detail.tenant_id,
            "invoice": payload.id,
            "currency": payload.currency,
            "advance": payload.financing.first_payment,
            "claim": payload.financing.repayment_amount,
        }
    outcome = {"tenant": detail.tenant_id, "internal_number": payload.internal_number}
    if isinstance(payload, RefusedReceivable):
        outcome["reason"] = payload.message
    else:
        outcome["registrar_reference"] = payload.interop_holding_number
    return outcome
