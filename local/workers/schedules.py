"""Scheduled rules: run on demand (`make schedule RULE=...`), or also at their `rate(...)` when asked."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from local.model import RuleTarget
from local.runtime import FunctionError
from local.workers.base import Sources, iso

log = logging.getLogger("local")

RATE_UNITS = {"m": 60, "h": 3600, "d": 86400}  # seconds per rate(...) unit
_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")


def scheduled_event(target: RuleTarget, account_id: str, region: str) -> Any:
    if target.input:
        return json.loads(target.input)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": iso(),
        "region": region,
        "resources": [target.rule_arn],
        "detail": {},
    }


def schedule_names(sources: Sources) -> list[str]:
    names = []
    for target in sources.stack.rules:
        if target.schedule:
            names += [target.function, target.rule_id]
    return sorted(set(names))


def run_schedule(sources: Sources, name: str) -> list[dict[str, Any]] | None:
    """Fire every schedule of function or rule `name` now; None when there is none."""
    targets = [t for t in sources.stack.rules if t.schedule and name in (t.function, t.rule_id, t.rule_name)]
    if not targets:
        return None
    return [fire(sources, target) for target in targets]


def fire(sources: Sources, target: RuleTarget) -> dict[str, Any]:
    event = scheduled_event(target, sources.stack.account_id, sources.stack.region)
    outcome: dict[str, Any] = {"rule": target.rule_id, "function": target.function}
    started = time.perf_counter()
    try:
        outcome.update(ok=True, result=sources.runtime.invoke(target.function, event))
    except FunctionError as error:
        log.error(
            "schedule %s -> %s failed: %s", target.rule_id, target.function, error.text or error.message
        )
        outcome.update(ok=False, error=error.payload())
    log.info(
        "schedule %s -> %s: %s, %.0f ms",
        target.rule_id,
        target.function,
        "ok" if outcome["ok"] else "error",
        (time.perf_counter() - started) * 1000,
    )
    return outcome


def run_rates(sources: Sources) -> None:
    periods: dict[int, float] = {}
    for index, target in enumerate(sources.stack.rules):
        if not (target.schedule and target.enabled):
            continue
        match = _RATE.fullmatch(target.schedule.strip())
        if not match:
            log.warning("schedule %s (%s) runs on demand only locally", target.rule_id, target.schedule)
            continue
        unit = RATE_UNITS[match.group(2)[0]]
        periods[index] = int(match.group(1)) * unit
    due = {index: time.monotonic() + period for index, period in periods.items()}
    while due and not sources.stop.is_set():
        index = min(due, key=due.__getitem__)
        if sources.stop.wait(max(0.0, due[index] - time.monotonic())):
            return
        fire(sources, sources.stack.rules[index])
        due[index] = time.monotonic() + periods[index]
