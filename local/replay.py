"""`python -m local.replay --from <time> --to <time> [--rule <rule>]` (make replay): replay a window of the bus's
archive to its rules on the running stack, as `aws events start-replay` does on AWS."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from local.discover import api_url, running_stack
from local.model import Stack
from local.provision import Clients, client_factory, provision
from local.template import TemplateError, load_template

ARCHIVE_TYPE = "AWS::Events::Archive"


def moment(text: str) -> dt.datetime:
    """An ISO 8601 time; without a zone it is UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise TemplateError(f"{text!r} is not an ISO 8601 time (e.g. 2026-12-06T07:00:00Z)") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def archive_of(stack: Stack) -> str:
    """Logical id of the template's one archive."""
    archives = [lid for lid in stack.physical if stack.resolver.resources[lid].get("Type") == ARCHIVE_TYPE]
    if len(archives) != 1:
        raise TemplateError(f"the template declares {len(archives)} event archives; replay needs exactly one")
    return archives[0]


def rule_arns(stack: Stack, clients: Clients, bus: str, names: list[str]) -> list[str]:
    """Each rule named by the template's logical id, by its name on the bus, or by its ARN."""
    arns = []
    for name in names:
        if name.startswith("arn:"):
            arns.append(name)
            continue
        declared = [t.rule_arn for t in stack.rules if name in (t.rule_id, t.rule_name)]
        if name in stack.physical and stack.resolver.resources[name].get("Type") == "AWS::Events::Rule":
            declared.append(stack.attributes[name]["Arn"])
        if declared:
            arns.append(declared[0])
            continue
        try:
            arns.append(clients("events").describe_rule(Name=name, EventBusName=bus)["Arn"])
        except ClientError:
            raise TemplateError(f"no rule {name} in the template or on the bus {bus}") from None
    return arns


def replay(
    stack: Stack,
    clients: Clients,
    start: dt.datetime,
    end: dt.datetime,
    rules: list[str] | None = None,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """Replay [start, end) of the archive to `rules` (every rule of the bus when none); the finished replay."""
    events = clients("events")
    archive = events.describe_archive(ArchiveName=stack.physical[archive_of(stack)])
    bus_arn = archive["EventSourceArn"]
    destination: dict[str, Any] = {"Arn": bus_arn}
    if rules:
        destination["FilterArns"] = rule_arns(stack, clients, bus_arn.split("/")[-1], rules)
    name = f"local-{uuid.uuid4().hex[:16]}"
    events.start_replay(
        ReplayName=name,
        EventSourceArn=archive["ArchiveArn"],
        EventStartTime=start,
        EventEndTime=end,
        Destination=destination,
    )
    deadline = time.monotonic() + timeout
    while True:
        described = events.describe_replay(ReplayName=name)
        if described["State"] in ("COMPLETED", "CANCELLED", "FAILED") or time.monotonic() > deadline:
            return described
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--from", dest="start", required=True, help="first event time replayed (ISO 8601)")
    parser.add_argument("--to", dest="end", required=True, help="events before this time are replayed")
    parser.add_argument(
        "--rule", action="append", default=[], help="only this rule (logical id, name or ARN); repeatable"
    )
    args = parser.parse_args(argv)
    health = running_stack()
    if health is None:
        print(f"no local stack answers on {api_url()}; start one with `make run`", file=sys.stderr)
        return 2
    clients = client_factory(health["aws_endpoint"])
    stack = provision(load_template(), clients)  # finds the running stack's resources; creates nothing new
    rules = [name for value in args.rule for name in value.split(",") if name.strip()]
    try:
        done = replay(stack, clients, moment(args.start), moment(args.end), rules)
    except TemplateError as error:
        print(error, file=sys.stderr)
        return 1
    except ClientError as error:
        print(error.response["Error"].get("Message", str(error)), file=sys.stderr)
        return 1
    target = ", ".join(done["Destination"].get("FilterArns") or ["every rule of the bus"])
    print(f"replay {done['ReplayName']}: {done['State']}, {args.start} to {args.end}, to {target}")
    return 0 if done["State"] == "COMPLETED" else 1


if __name__ == "__main__":
    sys.exit(main())
