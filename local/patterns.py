"""EventBridge event-pattern matching, as Lambda applies it to event source FilterCriteria."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

_MISSING = object()


def matches(pattern: str | dict[str, Any], event: Any) -> bool:
    """Whether `event` matches `pattern` (a dict or its JSON text)."""
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    if not isinstance(pattern, dict):
        raise ValueError("an event pattern is a JSON object")
    return _match_object(pattern, event)


def _match_object(pattern: dict[str, Any], event: Any) -> bool:
    for key, rule in pattern.items():
        if key == "$or":
            if not any(_match_object(alternative, event) for alternative in rule):
                return False
            continue
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(rule, dict):
            # Arrays of objects are flattened: any element may satisfy the nested pattern.
            candidates = value if isinstance(value, list) else [value]
            if not any(isinstance(c, dict) and _match_object(rule, c) for c in candidates):
                return False
        elif isinstance(rule, list):
            if not _match_leaf(rule, value):
                return False
        else:
            raise ValueError(f"pattern value for {key!r} must be an array or an object")
    return True


def _match_leaf(rules: list[Any], value: Any) -> bool:
    candidates = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, dict):
            if _match_operator(rule, value, candidates):
                return True
        elif value is not _MISSING and any(_equal(rule, c) for c in candidates):
            return True
    return False


def _match_operator(rule: dict[str, Any], value: Any, candidates: list[Any]) -> bool:
    if len(rule) != 1:
        raise ValueError(f"a matcher has exactly one operator: {rule}")
    operator, argument = next(iter(rule.items()))
    if operator == "exists":
        present = value is not _MISSING and not isinstance(value, dict)
        return present is bool(argument)
    if value is _MISSING:
        return False
    if operator == "anything-but":
        return all(not _anything_but_hit(argument, c) for c in candidates)
    return any(_single(operator, argument, c) for c in candidates)


def _anything_but_hit(argument: Any, candidate: Any) -> bool:
    if isinstance(argument, dict):
        operator, inner = next(iter(argument.items()))
        inner_values = inner if isinstance(inner, list) else [inner]
        return any(_single(operator, v, candidate) for v in inner_values)
    values = argument if isinstance(argument, list) else [argument]
    return any(_equal(v, candidate) for v in values)


def _single(operator: str, argument: Any, candidate: Any) -> bool:
    if operator in ("prefix", "suffix"):
        if not isinstance(candidate, str):
            return False
        ignore_case = isinstance(argument, dict)
        text = argument["equals-ignore-case"] if ignore_case else argument
        subject, text = (candidate.lower(), text.lower()) if ignore_case else (candidate, text)
        return subject.startswith(text) if operator == "prefix" else subject.endswith(text)
    if operator == "equals-ignore-case":
        return isinstance(candidate, str) and candidate.lower() == str(argument).lower()
    if operator == "wildcard":
        return isinstance(candidate, str) and _wildcard(argument).fullmatch(candidate) is not None
    if operator == "numeric":
        return _numeric(argument, candidate)
    if operator == "cidr":
        try:
            return ipaddress.ip_address(candidate) in ipaddress.ip_network(argument, strict=False)
        except (TypeError, ValueError):
            return False
    raise ValueError(f"unknown matcher {operator!r}")


def _equal(expected: Any, candidate: Any) -> bool:
    if _is_number(expected) and _is_number(candidate):
        return float(expected) == float(candidate)
    if expected is None or isinstance(expected, bool) or isinstance(candidate, bool):
        return expected is candidate
    return type(expected) is type(candidate) and expected == candidate


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_NUMERIC_OPS = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _numeric(argument: list[Any], candidate: Any) -> bool:
    # Lambda filters also compare DynamoDB's {"N": "12"} strings numerically.
    if isinstance(candidate, bool):
        return False
    try:
        number = float(candidate)
    except (TypeError, ValueError):
        return False
    pairs = zip(argument[::2], argument[1::2], strict=True)
    return all(_NUMERIC_OPS[op](number, float(bound)) for op, bound in pairs)


def _wildcard(text: str) -> re.Pattern[str]:
    parts = re.split(r"(?<!\\)\*", text)
    return re.compile(".*".join(re.escape(p.replace("\\*", "*")) for p in parts), re.DOTALL)
