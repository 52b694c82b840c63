"""EventBridge replays on the embedded AWS, made to replay what AWS replays.

moto 5 archives what the bus receives, but its StartReplay sends *every* archived event to *every* rule of
the bus, whatever the window and the rules asked for, under a new envelope id and in a shape no target sees
on AWS (the whole archived record, `ingestion-time` included, ignoring the targets' input transformers).
Here a replay sends the archived events whose `time` is in [EventStartTime, EventEndTime) to the rules named
in `Destination.FilterArns` (every rule of the bus when there are none), each as the rule's targets received
it the first time, plus EventBridge's `replay-name`. The archive's own rule never matches a replayed event
(its pattern says `"replay-name": [{"exists": false}]`), as on AWS.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_installed: dict[str, Any] = {}


def install() -> None:
    """Patch moto's Replay in this process (idempotent)."""
    if _installed:
        return
    from moto.events.models import Replay

    _installed["replay_events"] = Replay.replay_events
    Replay.replay_events = _replay_events


def uninstall() -> None:
    if not _installed:
        return
    from moto.events.models import Replay

    Replay.replay_events = _installed.pop("replay_events")


def epoch(value: Any) -> float:
    """An event's or a request's time as epoch seconds (the JSON protocol sends numbers; events may hold text)."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.timestamp()
    text = str(value)
    try:
        return float(text)
    except ValueError:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def in_window(event: dict[str, Any], start: Any, end: Any) -> bool:
    """AWS replays the events whose time is at or after the start and before the end."""
    return epoch(start) <= epoch(event["time"]) < epoch(end)


def _with_replay_name(target: dict[str, Any]) -> dict[str, Any]:
    """The target as it is, if it transforms its input; else one rendering the default event plus `replay-name`."""
    from moto.events.utils import EventTemplateParser

    if target.get("InputTransformer"):
        return target
    template = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    paths = dict(EventTemplateParser.DEFAULT_EVENT_INPUT_PATHS_MAP, **{"replay-name": "$.replay-name"})
    rendered = template[:-1] + ', "replay-name": "<replay-name>"}'
    return {**target, "InputTransformer": {"InputTemplate": rendered, "InputPathsMap": paths}}


def _replay_events(self: Any, archive: Any) -> None:
    from moto.core.utils import unix_time
    from moto.events.models import ReplayState, events_backends

    backend = events_backends[self.account_id][self.region]
    bus = backend.describe_event_bus(self.destination["Arn"].split("/")[-1])
    wanted = set(self.destination.get("FilterArns") or [])
    rules = [rule for rule in bus.rules.values() if not wanted or rule.arn in wanted]
    for event in [e for e in archive.events if in_window(e, self.event_start_time, self.event_end_time)]:
        replayed = dict(event, **{"replay-name": self.name})
        for rule in rules:
            delivering = copy.copy(rule)  # the rule's targets, each rendering the replayed event
            delivering.targets = [_with_replay_name(target) for target in rule.targets]
            delivering.send_to_targets(replayed)
    self.state = ReplayState.COMPLETED
    self.end_time = unix_time()


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()
