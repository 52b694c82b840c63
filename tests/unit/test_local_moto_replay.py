"""The embedded AWS's replays: only the window's archived events, only to the rules asked for, as delivered."""

import datetime as dt
import json

import boto3
import pytest
from moto import mock_aws

from local import moto_replay

T0 = dt.datetime(2026, 12, 6, 7, 0, 0, tzinfo=dt.UTC)


def at(seconds: int) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def bus():
    """A bus with an archive of every event and two subscribers' queues (`a`, `b`) with their rules."""
    with moto_replay.installed(), mock_aws():
        events, sqs = boto3.client("events", "us-east-1"), boto3.client("sqs", "us-east-1")
        arn = events.create_event_bus(Name="bus")["EventBusArn"]
        archive = events.create_archive(
            ArchiveName="everything", EventSourceArn=arn, EventPattern=json.dumps({"source": ["app"]})
        )["ArchiveArn"]
        queues, rules = {}, {}
        for name in ("a", "b"):
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
            rules[name] = events.put_rule(
                Name=name, EventBusName="bus", EventPattern=json.dumps({"source": ["app"]})
            )["RuleArn"]
            events.put_targets(
                Rule=name, EventBusName="bus", Targets=[{"Id": "q", "Arn": queue_arn["QueueArn"]}]
            )
            queues[name] = url

        def put(seconds: int, n: int) -> None:
            entry = {
                "EventBusName": "bus",
                "Source": "app",
                "DetailType": "t",
                "Detail": json.dumps({"n": n}),
            }
            events.put_events(Entries=[{**entry, "Time": at(seconds)}])

        def received(name: str) -> list[dict]:
            found = []
            while messages := sqs.receive_message(QueueUrl=queues[name], MaxNumberOfMessages=10).get(
                "Messages"
            ):
                for message in messages:
                    found.append(json.loads(message["Body"]))
                    sqs.delete_message(QueueUrl=queues[name], ReceiptHandle=message["ReceiptHandle"])
            return found

        yield events, arn, archive, rules, put, received


def test_a_replay_sends_only_the_windows_events_to_only_the_rules_named(bus):
    events, bus_arn, archive, rules, put, received = bus
    for seconds, n in ((0, 1), (10, 2), (19, 3), (20, 4)):
        put(seconds, n)
    originals = {e["detail"]["n"]: e for e in received("a")}
    assert len(originals) == 4 and len(received("b")) == 4

    events.start_replay(
        ReplayName="r1",
        EventSourceArn=archive,
        EventStartTime=at(10),
        EventEndTime=at(20),
        Destination={"Arn": bus_arn, "FilterArns": [rules["a"]]},
    )

    replayed = received("a")
    assert sorted(e["detail"]["n"] for e in replayed) == [2, 3]  # the start is in, the end is out
    for event in replayed:
        assert event == {
            **originals[event["detail"]["n"]],
            "replay-name": "r1",
        }  # as delivered, plus the name
    assert received("b") == []  # not a rule of the replay
    assert events.describe_replay(ReplayName="r1")["State"] == "COMPLETED"


def test_a_replay_without_rules_reaches_every_rule_and_is_never_archived_again(bus):
    events, bus_arn, archive, _rules, put, received = bus
    put(5, 1)
    received("a"), received("b")
    for name in ("r1", "r2"):  # the second would replay twice if the first had been archived
        events.start_replay(
            ReplayName=name,
            EventSourceArn=archive,
            EventStartTime=at(0),
            EventEndTime=at(60),
            Destination={"Arn": bus_arn},
        )
    assert [e["replay-name"] for e in received("a")] == ["r1", "r2"]
    assert [e["replay-name"] for e in received("b")] == ["r1", "r2"]


def test_make_replay_finds_the_templates_archive_and_the_rule_by_name_logical_id_or_arn():
    from local.provision import client_factory, provision
    from local.replay import moment, replay, rule_arns
    from local.template import TemplateError, load_template

    with moto_replay.installed(), mock_aws():
        stack, clients = provision(load_template()), client_factory()
        events, sqs = clients("events"), clients("sqs")
        bus = stack.physical["EventBus"]
        detail = json.dumps({"id": "evt_1", "tenant_id": "acme"})
        events.put_events(
            Entries=[
                {
                    "EventBusName": bus,
                    "Source": "invoice-financing",
                    "DetailType": "x",
                    "Detail": detail,
                    "Time": at(5),
                }
            ]
        )
        url = sqs.create_queue(QueueName="late")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        late = events.put_rule(
            Name="late", EventBusName=bus, EventPattern=json.dumps({"source": ["invoice-financing"]})
        )
        events.put_targets(Rule="late", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])

        done = replay(stack, clients, moment("2026-12-06T07:00:00Z"), moment("2026-12-06T07:00:06"), ["late"])

        assert done["State"] == "COMPLETED" and done["Destination"]["FilterArns"] == [late["RuleArn"]]
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert json.loads(message["Body"])["detail"] == json.loads(detail)
        declared = stack.attributes["EventLogRule"]["Arn"]
        assert rule_arns(stack, clients, bus, ["EventLogRule", late["RuleArn"]]) == [
            declared,
            late["RuleArn"],
        ]
        with pytest.raises(TemplateError, match="no rule nobody"):
            rule_arns(stack, clients, bus, ["nobody"])
        with pytest.raises(TemplateError, match="not an ISO 8601 time"):
            moment("yesterday")
