"""A check on the embedded bus: every event the platform puts on it (`source` `invoice-financing`) is validated,
as a rule would deliver it, against its published JSON Schema (docs/events/<detail-type>.json) with the
`jsonschema` library; an event type without a published schema is a violation too. The local stack logs
each violation; the integration and end-to-end tests fail on any."""

import contextlib
import functools
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "events"
SOURCE = "invoice-financing"
VIOLATION = "Event schema violation: "  # what the local stack logs, and the e2e tests look for

Report = Callable[[str], None]


@functools.cache
def _validator(detail_type: str) -> Draft202012Validator | None:
    path = SCHEMAS / f"{detail_type}.json"
    if "/" in detail_type or not path.is_file():
        return None
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _time(value: Any) -> str:
    if isinstance(value, int | float):  # boto3 sends PutEvents' Time as epoch seconds
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, datetime):
        moment = value.astimezone(UTC)
    elif isinstance(value, str):
        return value
    else:
        moment = datetime.now(UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def delivered(entry: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """The event a rule delivers for a PutEvents entry: EventBridge's envelope around the entry's detail."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": entry.get("DetailType"),
        "source": entry.get("Source"),
        "account": account,
        "time": _time(entry.get("Time")),
        "region": region,
        "resources": entry.get("Resources", []),
        "detail": json.loads(entry.get("Detail") or "null"),
    }


def problems(entry: dict[str, Any], account: str, region: str) -> list[str]:
    """What is wrong with one PutEvents entry of the platform's (nothing for another source's)."""
    if entry.get("Source") != SOURCE:
        return []
    detail_type = str(entry.get("DetailType"))
    validator = _validator(detail_type)
    if validator is None:
        return [f"{detail_type}: no schema is published for this event type (docs/events/, make events-docs)"]
    try:
        event = delivered(entry, account, region)
    except ValueError as error:
        return [f"{detail_type}: detail is not JSON ({error})"]
    return [
        f"{detail_type} {event['detail'].get('id') if isinstance(event['detail'], dict) else ''}: "
        f"{'/'.join(str(part) for part in error.absolute_path) or '(event)'}: {error.message}"
        for error in sorted(validator.iter_errors(event), key=lambda error: list(error.absolute_path))
    ]


def _checked(real_put_events: Callable[..., Any], report: Report) -> Callable[..., Any]:
    def put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for entry in events:
            for problem in problems(entry, self.account_id, self.region_name):
                report(problem)
        return real_put_events(self, events)

    return put_events


def install(report: Report) -> None:
    """From now on, every PutEvents entry moto's events backend receives is checked (the local stack)."""
    from moto.events.models import EventsBackend

    EventsBackend.put_events = _checked(EventsBackend.put_events, report)  # type: ignore[method-assign]


@contextlib.contextmanager
def checking(report: Report) -> Iterator[None]:
    """Within the block, every PutEvents entry moto's events backend receives is checked; each problem is
    reported (the entries are delivered all the same, as EventBridge would)."""
    from moto.events.models import EventsBackend

    real_put_events = EventsBackend.put_events
    EventsBackend.put_events = _checked(real_put_events, report)  # type: ignore[method-assign]
    try:
        yield
    finally:
        EventsBackend.put_events = real_put_events  # type: ignore[method-assign]
