"""What the IaC scan (make scan) asks of template.yaml and the reasons its skips give, checked on the template
itself: every skip says why, asynchronously invoked functions dead-letter their failures, queues are encrypted,
both APIs write access logs, and the functions calling outside systems have reserved concurrency."""

import re
from typing import Any

import pytest

from local.template import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
ASYNC_EVENTS = {"Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent", "S3", "SNS"}
STREAM_EVENTS = {"DynamoDB", "Kinesis"}


def _events(function: dict[str, Any]) -> list[dict[str, Any]]:
    return list((function["Properties"].get("Events") or {}).values())


def _get_att_target(value: Any) -> str:
    assert isinstance(value, dict) and "Fn::GetAtt" in value, value
    target = value["Fn::GetAtt"]
    return (target.split(".") if isinstance(target, str) else target)[0]


def test_every_skipped_check_says_why() -> None:
    skips = [
        (name, skip)
        for name, resource in RESOURCES.items()
        for skip in ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip", [])
    ]
    assert skips, "the template skips no check: this test would have nothing to guard"
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip.get("id", "")), (name, skip)
        assert len(skip.get("comment", "").split()) >= 5, f"{name}: skipping {skip['id']} needs its reason"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_function_invoked_asynchronously_dead_letters_its_failures(name: str) -> None:
    function = FUNCTIONS[name]["Properties"]
    on_failure = ((function.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure")
    for event in _events(FUNCTIONS[name]):
        kind, props = event["Type"], event.get("Properties") or {}
        if kind in ASYNC_EVENTS:
            dlq = function.get("DeadLetterQueue") or on_failure
            assert dlq, f"{name}: a {kind} invocation that keeps failing would be dropped"
            assert RESOURCES[_get_att_target(dlq.get("TargetArn") or dlq.get("Destination"))]
        elif kind == "SQS":
            queue = RESOURCES[_get_att_target(props["Queue"])]["Properties"]
            assert queue["RedrivePolicy"]["deadLetterTargetArn"], f"{name}: its source queue has no DLQ"
        elif kind in STREAM_EVENTS:
            destination = props["DestinationConfig"]["OnFailure"]["Destination"]
            assert RESOURCES[_get_att_target(destination)]["Type"] == "AWS::SQS::Queue", name
        else:
            assert kind == "Api", f"{name}: {kind} events are not known to this test"


def test_rules_invoke_no_function_directly() -> None:
    # A rule targeting a function is an asynchronous invocation the function test above does not see.
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::Events::Rule":
            for target in resource["Properties"].get("Targets", []):
                assert _get_att_target(target["Arn"]) not in FUNCTIONS, (name, target)


@pytest.mark.parametrize("name", sorted(n for n, r in RESOURCES.items() if r["Type"] == "AWS::SQS::Queue"))
def test_every_queue_is_encrypted_explicitly(name: str) -> None:
    props = RESOURCES[name]["Properties"]
    assert props.get("SqsManagedSseEnabled") is True or props.get("KmsMasterKeyId"), name


@pytest.mark.parametrize("name", ["Api", "OpenFinanceApi"])
def test_each_api_writes_access_logs_without_identifiers_or_credentials(name: str) -> None:
    api = RESOURCES[name]
    setting = api["Properties"]["AccessLogSetting"]
    log_group = RESOURCES[_get_att_target(setting["DestinationArn"])]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"]
    # API Gateway refuses a stage with access logs until the account's CloudWatch role is set.
    assert api["DependsOn"] == "ApiGatewayAccount"
    role = _get_att_target(RESOURCES["ApiGatewayAccount"]["Properties"]["CloudWatchRoleArn"])
    assert RESOURCES[role]["Type"] == "AWS::IAM::Role"
    fmt = setting["Format"]
    assert "$context.requestId" in fmt and "$context.status" in fmt
    # The route template, never the raw path (ids, tax ids in Open Finance paths) nor headers or query strings.
    for leaky in ("$context.path", "$input", "$method.request", "$context.identity.apiKey"):
        assert leaky not in fmt, leaky


@pytest.mark.parametrize("name", ["RegisterCreditRightsFunction", "DeliverWebhooksFunction"])
def test_functions_calling_outside_systems_reserve_as_much_as_their_queue_polls(name: str) -> None:
    reserved = FUNCTIONS[name]["Properties"]["ReservedConcurrentExecutions"]
    condition, when_set, otherwise = reserved["Fn::If"]
    assert otherwise == {"Ref": "AWS::NoValue"}
    assert TEMPLATE["Conditions"][condition] == {"Fn::Equals": [{"Ref": "ReserveConcurrency"}, "true"]}
    assert TEMPLATE["Parameters"]["ReserveConcurrency"]["Default"] == "true"
    # An SQS source with more pollers than the reservation throttles batches and counts receives towards the DLQ.
    (event,) = _events(FUNCTIONS[name])
    assert event["Type"] == "SQS"
    assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == when_set
