"""Schemathesis hooks for the suite's run: a refusal of schema-valid data must name only reviewed rules, and
what each call reached is written down (FUZZ_TRACE) so the run can say how deep its scenarios went."""

from __future__ import annotations

import json
import os
import random
import re
import threading
import uuid
from functools import cache
from typing import Any

import jsonschema
import schemathesis
from schemathesis.specs.openapi import stateful

from tests.e2e.fuzzing import DOCUMENT, SEEDED_FIELDS, SEEDED_PROBABILITY, UNSCHEMATIZABLE

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


# Which operations start a stateful scenario. Schemathesis takes every POST for one, and every `*_id` body
# field for a reference to another resource (`tax_id` -> "Tax", `client_reference_id` -> "ClientReference"):
# seeing no operation produce one, it never starts a scenario with the POST that has such a field, creating a
# company or an invoice, where the chain to a funded invoice starts. Here a POST on a collection creates and
# may start a scenario; an action on an item (`POST /v1/invoices/{invoice_id}/fund`) acts on what a link
# names, so a scenario never starts with it (a made-up id is a 404, a step spent on nothing).
_likely_root = stateful.is_likely_root_transition


def _creates_or_likely_root(operation: Any, node: Any, produced_anywhere: set[str]) -> bool:
    if operation.path_parameters:
        return False
    return operation.method == "post" or _likely_root(operation, node, produced_anywhere)


stateful.is_likely_root_transition = _creates_or_likely_root


# The caller's bearer token (FUZZ_TOKEN) on every request, in place of the credentials schemathesis makes up
# for the document's bearer scheme (`Authorization`), but not of an `authorization` header the operation
# declares and a link filled: the connect token `GET /v1/financing_connect` takes (`--header` would
# override it).
@schemathesis.auth()
class CallersToken:
    def get(self, case: Any, context: Any) -> str | None:
        return os.environ.get("FUZZ_TOKEN")

    def set(self, case: Any, token: str, context: Any) -> None:
        # Keys keep their spelling: the scheme's made-up credentials are `Authorization`, a link's token is
        # the declared `authorization`. The headers stay case-insensitive, so checks that take the
        # credentials away (`ignored_auth`) take the link's token away too.
        if "authorization" not in list(case.headers or {}):
            case.headers = case.headers if case.headers is not None else {}
            case.headers["Authorization"] = f"Bearer {token}"


# What a draw rarely gets right, set on a schema-valid body (never on one generated to break the schema) so
# the stateful chain can go on, each time with the probability of a seeded field (SEEDED_PROBABILITY):
# - the SEEDED_FIELDS, from the seeds (FUZZ_SEEDS: name -> values), unless that would make the body invalid
#   as a whole (a seeded `usd` in a `brl` body naming a receivable breaks "only a brl invoice names one");
# - an invoice's `client_reference_id`, unique in the tenant (a second one is a 409), made unique: drawn
#   from a small alphabet, it repeats within a few scenarios;
# - a signature's contact: the signatory of the seeded company of the party the body names
#   (FUZZ_SIGNATORIES, party -> contact).
_RANDOM = random.SystemRandom()


def _seeded() -> bool:
    return _RANDOM.random() < SEEDED_PROBABILITY


@cache
def _body_validator(method: str, path: str) -> Any:
    document = json.loads(DOCUMENT.read_text())
    content = document["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]
    return jsonschema.Draft202012Validator({**content["schema"], "components": document["components"]})


def seeded_body(key: tuple[str, str], body: dict[str, Any], seeds: dict[str, list[Any]]) -> dict[str, Any]:
    drawn = {
        field: _RANDOM.choice(seeds[name])
        for field, name in SEEDED_FIELDS.get(key, {}).items()
        if seeds.get(name) and _seeded()
    }
    seeded = {**body, **drawn}
    return seeded if _body_validator(*key).is_valid(seeded) else body


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta, key = case.meta, (case.method.upper(), case.operation.path)
    if meta is None or not meta.generation.mode.is_positive or not isinstance(case.body, dict):
        return case
    body = case.body
    if key in SEEDED_FIELDS:
        body = seeded_body(key, body, json.loads(os.environ.get("FUZZ_SEEDS") or "{}"))
    if key == ("POST", "/v1/invoices") and _seeded():
        body = {**body, "client_reference_id": f"fuzz-{uuid.uuid4().hex}"}
    signatories = json.loads(os.environ.get("FUZZ_SIGNATORIES") or "{}")
    party = body.get("party")
    if key == ("POST", "/v1/invoices/{invoice_id}/sign") and party in signatories and _seeded():
        body = {**body, "contact": signatories[party]}
    case.body = body
    return case


# ------------------------------------------------------------------------------------------- the trace
# One JSON line per call when FUZZ_TRACE names a file: the phase, the operation, the answer's status code,
# what a refusal names, and what the answer says of an invoice (its id and status) or the invoice a ledger read was filtered by
# (with the number of entries read). `tests.e2e.fuzzing.reached` counts it.
_TRACE_LOCK = threading.Lock()


def observation(case: Any, response: Any) -> dict[str, Any]:
    meta = case.meta
    seen: dict[str, Any] = {
        "phase": str(meta.phase.name) if meta is not None else None,
        "operation": f"{case.method.upper()} {case.operation.path}",
        "code": response.status_code,
    }
    try:
        body = response.json()
    except ValueError:
        return seen
    if not 200 <= response.status_code < 300:
        return seen | {"refused": sorted(blamed(body))}
    if isinstance(body, dict) and body.get("object") == "invoice":
        seen |= {"invoice": body.get("id"), "status": body.get("status")}
    elif seen["operation"] == "GET /v1/ledger/entries" and isinstance(body, dict):
        seen |= {"invoice": (case.query or {}).get("invoice"), "entries": len(body.get("data") or [])}
    return seen


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    trace = os.environ.get("FUZZ_TRACE")
    if not trace:
        return
    line = json.dumps(observation(case, response))
    with _TRACE_LOCK, open(trace, "a") as sink:
        sink.write(line + "\n")
