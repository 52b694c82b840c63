"""Schemathesis hooks for the suite's run: a refusal of schema-valid data must name only reviewed rules."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from schemathesis.specs.openapi import stateful

from tests.e2e.fuzzing import UNSCHEMATIZABLE

_INDEX = re.compile(r"\[\d+\]|\.\d+(?=\.|$)")


def _field(path: str) -> str:
    """`credit_operations[0].operation_value` and `contacts.0.email` -> `credit_operations.operation_value`."""
    return _INDEX.sub("", path)


def blamed(body: Any) -> set[str]:
    """What a family's refusal names: its fields, or its error code (message for Monite) when it names none."""
    if not isinstance(body, dict):
        return set()
    if isinstance(body.get("errors"), list) and "correlationId" in body:  # Pismo
        return {_field(str(message).split(":", 1)[0]) for message in body["errors"]}
    if isinstance(body.get("detail"), list):  # Monite's 422
        return {
            _field(".".join(str(p) for p in problem.get("loc", [])[1:])) or "body"
            for problem in body["detail"]
        }
    error = body.get("error")
    if isinstance(error, dict):
        details = error.get("details") or []
        if details:
            return {_field(detail.get("field", "")) for detail in details}
        return {str(error.get("code") or error.get("message"))}
    return set()


@schemathesis.check
def refusals_name_only_reviewed_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in (400, 422):
        return None
    rules = UNSCHEMATIZABLE.get((case.method.upper(), case.operation.path))
    if rules is None:
        return None  # positive_data_acceptance reports it
    try:
        named = blamed(response.json())
    except ValueError:
        named = set()
    unreviewed = sorted(named - set(rules)) if named else ["(nothing named)"]
    if unreviewed:
        raise AssertionError(
            f"Schema-valid data refused for {', '.join(unreviewed)}, which the reviewed list does not hold"
        )
    return None


# Schemathesis takes every `*_id` body field for a reference to another resource (`tax_id` -> "Tax",
# `client_reference_id` -> "ClientReference") and, seeing no operation produce one, never starts a stateful
# scenario with the POST that has such a field: creating a company or an invoice, where the chain to a funded
# invoice starts. A POST on a collection creates; it may start a scenario.
_likely_root = stateful.is_likely_root_transition


def _creates_or_likely_root(operation: Any, node: Any, produced_anywhere: set[str]) -> bool:
    creates = operation.method == "post" and not operation.path_parameters
    return creates or _likely_root(operation, node, produced_anywhere)


stateful.is_likely_root_transition = _creates_or_likely_root
