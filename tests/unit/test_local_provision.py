"""Provisioning template.yaml into moto, in-process: every declared resource exists afterwards."""

import json

import boto3
import pytest
from moto import mock_aws

from local.provision import provision
from local.template import Resolver, TemplateError, load_template, parameter_values, template_dir

TEMPLATE = load_template()
TEMPLATE_DIR = template_dir(TEMPLATE)


LOCAL = Resolver(TEMPLATE, parameters=parameter_values(TEMPLATE))


def _of_type(kind):
    """The template's resources of a type that exist on the local stack (their condition holds)."""
    return [
        lid for lid, r in TEMPLATE["Resources"].items() if r["Type"] == kind and LOCAL.resource_enabled(lid)
    ]


@pytest.fixture
def stack():
    with mock_aws():
        yield provision(TEMPLATE)


def test_every_table_queue_bus_bucket_and_secret_exists(stack):
    ddb, sqs, events = boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("events")
    for table in _of_type("AWS::DynamoDB::Table"):
        description = ddb.describe_table(TableName=stack.physical[table])["Table"]
        declared = TEMPLATE["Resources"][table]["Properties"]
        assert description["KeySchema"] == declared["KeySchema"]
        if "StreamSpecification" in declared:
            assert stack.attributes[table]["StreamArn"] == description["LatestStreamArn"]
        indexes = {i["IndexName"] for i in description.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i["IndexName"] for i in declared.get("GlobalSecondaryIndexes", [])}
    for queue in _of_type("AWS::SQS::Queue"):
        attributes = sqs.get_queue_attributes(QueueUrl=stack.physical[queue], AttributeNames=["All"])[
            "Attributes"
        ]
        redrive = TEMPLATE["Resources"][queue]["Properties"].get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert (
                json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
                == stack.attributes[target]["Arn"]
            )
    for bus in _of_type("AWS::Events::EventBus"):
        events.describe_event_bus(Name=stack.physical[bus])
    for bucket in _of_type("AWS::S3::Bucket"):
        boto3.client("s3").head_bucket(Bucket=stack.physical[bucket])
    for secret in _of_type("AWS::SecretsManager::Secret"):
        value = boto3.client("secretsmanager").get_secret_value(SecretId=stack.physical[secret])[
            "SecretString"
        ]
        length = (
            TEMPLATE["Resources"][secret]["Properties"].get("GenerateSecretString", {}).get("PasswordLength")
        )
        assert not length or len(value) == length


def test_functions_get_resolved_environments_and_event_sources(stack):
    assert set(stack.functions) == set(_of_type("AWS::Serverless::Function"))
    environment = stack.environment()
    for value in environment.values():
        assert "{{resolve:" not in value and "${" not in value
    for spec in stack.functions.values():
        assert spec.code_dir.is_dir() or not spec.code_dir.exists()
        assert spec.timeout > 0 and spec.environment
    declared = {
        event["Type"]
        for lid in _of_type("AWS::Serverless::Function")
        for event in (TEMPLATE["Resources"][lid]["Properties"].get("Events") or {}).values()
    }
    if "SQS" in declared:
        assert stack.sqs_sources
    if "DynamoDB" in declared:
        assert stack.stream_sources and all(
            s.stream_arn.startswith("arn:aws:dynamodb") for s in stack.stream_sources
        )
    if "Api" in declared:
        assert any(api.routes for api in stack.apis.values())


def test_the_documents_bucket_logs_its_requests_to_a_bucket_only_log_delivery_writes_to(stack):
    s3 = boto3.client("s3")
    logging_ = s3.get_bucket_logging(Bucket=stack.physical["DocumentsBucket"])["LoggingEnabled"]
    assert logging_ == {
        "TargetBucket": stack.physical["DocumentsAccessLogsBucket"],
        "TargetPrefix": "documents/",
    }
    policy = json.loads(s3.get_bucket_policy(Bucket=stack.physical["DocumentsAccessLogsBucket"])["Policy"])
    (allow,) = [statement for statement in policy["Statement"] if statement["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"} and allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == f"arn:aws:s3:::{stack.physical['DocumentsAccessLogsBucket']}/documents/*"


def test_provisioning_twice_finds_the_same_resources():
    with mock_aws():
        first = provision(TEMPLATE)
        second = provision(TEMPLATE)
        assert first.physical == second.physical
        assert first.environment() == second.environment()


def _mini(resources, globals_=None):
    return {
        "__path__": TEMPLATE["__path__"],
        "Resources": resources,
        **({"Globals": globals_} if globals_ else {}),
    }


def _function(**events):
    return {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "functions/x/", "Events": events}}


def test_rules_targeting_functions_get_hidden_queues_and_schedules():
    template = _mini(
        {
            "Bus": {
                "Type": "AWS::Events::EventBus",
                "Properties": {"Name": {"Fn::Sub": "${AWS::StackName}-bus"}},
            },
            "Fn": _function(
                Nightly={"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}},
                OnEvent={
                    "Type": "EventBridgeRule",
                    "Properties": {"EventBusName": {"Ref": "Bus"}, "Pattern": {"source": ["s"]}},
                },
            ),
            "Rule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventBusName": {"Ref": "Bus"},
                    "EventPattern": {"source": ["t"]},
                    "Targets": [{"Id": "fn", "Arn": {"Fn::GetAtt": ["Fn", "Arn"]}}],
                },
            },
        }
    )
    with mock_aws():
        stack = provision(template, parameters={})
        by_id = {t.rule_id: t for t in stack.rules}
        assert set(by_id) == {"FnNightly", "FnOnEvent", "Rule"}
        assert by_id["FnNightly"].schedule == "rate(1 day)" and by_id["FnNightly"].queue_url is None
        for rule_id in ("FnOnEvent", "Rule"):
            assert by_id[rule_id].function == "Fn" and by_id[rule_id].queue_url
        events = boto3.client("events")
        events.put_events(
            Entries=[
                {"EventBusName": stack.physical["Bus"], "Source": "t", "DetailType": "d", "Detail": "{}"}
            ]
        )
        received = boto3.client("sqs").receive_message(QueueUrl=by_id["Rule"].queue_url)["Messages"]
        assert json.loads(received[0]["Body"])["source"] == "t"


def test_unknown_resource_types_and_event_types_fail_loudly():
    with mock_aws():
        with pytest.raises(TemplateError, match="AWS::SNS::Topic"):
            provision(_mini({"Topic": {"Type": "AWS::SNS::Topic"}}), parameters={})
        with pytest.raises(TemplateError, match="event type S3"):
            provision(_mini({"Fn": _function(Upload={"Type": "S3", "Properties": {}})}), parameters={})


def test_functions_that_disagree_on_a_variable_stop_the_stack():
    from local.model import FunctionSpec, Stack

    def spec(name, environment):
        return FunctionSpec(name, name, f"arn:{name}", TEMPLATE_DIR, "app.h", 3, 128, environment, [], {})

    stack = Stack(TEMPLATE, resolver=None, stack_name="s", region="r", account_id="1")
    stack.functions = {"A": spec("A", {"X": "1", "Y": "1"}), "B": spec("B", {"X": "1"})}
    assert stack.environment() == {"X": "1", "Y": "1"}
    stack.functions["C"] = spec("C", {"Y": "2"})
    with pytest.raises(TemplateError, match="C and A set Y to different values"):
        stack.environment()


def test_the_bus_archive_exists_and_the_bus_is_exported_for_subscriber_stacks(stack):
    events = boto3.client("events", region_name=stack.region)
    archive = events.describe_archive(ArchiveName=stack.physical["EventArchive"])
    bus_arn = stack.attributes["EventBus"]["Arn"]
    assert archive["EventSourceArn"] == bus_arn and archive["RetentionDays"] == 30
    assert json.loads(archive["EventPattern"]) == {"source": ["invoice-financing"]}
    exports = stack.exports()
    assert exports[f"{stack.stack_name}-EventBusName"] == stack.physical["EventBus"]
    assert exports[f"{stack.stack_name}-EventBusArn"] == bus_arn


def test_a_subscriber_stack_imports_the_products_exports():
    subscriber = load_template(TEMPLATE_DIR / "examples" / "subscriber" / "template.yaml")
    with mock_aws():
        product = provision(TEMPLATE)
        parameters = parameter_values(subscriber, {"ProductStackName": product.stack_name})
        stack = provision(
            subscriber, parameters=parameters, stack_name="subscriber", imports=product.exports()
        )
        (rule,) = [r for r in stack.rules if r.rule_id.endswith("InvoiceFinanced")]
        bus = product.physical["EventBus"]
        assert (
            boto3.client("events", region_name=stack.region).describe_rule(
                Name=rule.rule_name, EventBusName=bus
            )["EventBusName"]
            == bus
        )
        with pytest.raises(TemplateError, match="no stack exports 'elsewhere-EventBusName'"):
            provision(subscriber, parameters=parameter_values(subscriber, {"ProductStackName": "elsewhere"}))
