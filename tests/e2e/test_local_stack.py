"""The local stack over HTTP: health, docs, gateway responses, the embedded AWS, schedules and the async chain."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from local.settings import ROOT
from local.template import Resolver, load_template, parameter_values
from local.token import mint

pytestmark = pytest.mark.e2e

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def _of_type(kind: str) -> list[str]:
    return [lid for lid, r in RESOURCES.items() if r["Type"] == kind]


def _routes() -> list[tuple[str, str, str]]:
    return [
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"], lid)
        for lid in _of_type("AWS::Serverless::Function")
        for event in (RESOURCES[lid]["Properties"].get("Events") or {}).values()
        if event["Type"] == "Api"
    ]


def _scheduled_functions() -> list[str]:
    return [
        lid
        for lid in _of_type("AWS::Serverless::Function")
        if any(
            e["Type"] in ("Schedule", "ScheduleV2")
            for e in (RESOURCES[lid]["Properties"].get("Events") or {}).values()
        )
    ]


def _observer(stack, pattern: dict) -> str:
    """A queue of this test's own, fed by a rule on the template's bus."""
    (bus_id,) = _of_type("AWS::Events::EventBus")
    bus = stack.health()["resources"][bus_id]
    sqs, events = stack.client("sqs"), stack.client("events")
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "e2e", "Arn": arn}])
    return url


def _receive(stack, url: str, timeout: float = 10.0) -> list[dict]:
    sqs = stack.client("sqs")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        if messages:
            return [json.loads(m["Body"]) for m in messages]
    return []


def test_health_lists_every_provisioned_resource(stack):
    response = stack.request("GET", "/health")
    assert response.status == 200
    document = response.json()
    assert document["status"] == "ok"
    assert document["aws_endpoint"] == stack.aws_endpoint
    ignored = {"AWS::Serverless::LayerVersion"}
    local = Resolver(TEMPLATE, parameters=parameter_values(TEMPLATE))  # resources whose condition holds here
    expected = {
        lid for lid, r in RESOURCES.items() if r["Type"] not in ignored and local.resource_enabled(lid)
    }
    assert expected <= set(document["resources"])
    assert "JwtSigningSecret" not in document["resources"]  # deployed stages only


def test_the_embedded_aws_answers_no_cross_origin_request(stack):
    """A web page open while `make run` is up must not reach the embedded AWS: no CORS grant, not on a
    preflight nor on a simple request, for any origin."""
    import urllib.error
    import urllib.request

    origin = {"Origin": "http://evil.example"}
    preflight = {
        **origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-amz-target",
    }
    for method, headers in (("OPTIONS", preflight), ("GET", origin), ("POST", origin)):
        request = urllib.request.Request(f"{stack.aws_endpoint}/", method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                granted = response.headers
        except urllib.error.HTTPError as refused:
            granted = refused.headers
        assert not any(name.lower().startswith("access-control-") for name in granted), (
            method,
            dict(granted),
        )


def test_openapi_and_docs_are_served(stack):
    openapi = stack.request("GET", "/openapi.json")
    if (ROOT / "docs" / "openapi.json").is_file():
        assert openapi.status == 200
        assert "openapi" in openapi.json()
    else:
        assert openapi.status == 404
    page = stack.request("GET", "/docs")
    assert page.status == 200 and b"/openapi.json" in page.body
    asset = stack.request("GET", "/docs/swagger-ui-bundle.js")
    assert asset.status == 200 and asset.headers["content-type"].endswith("javascript")
    assert stack.request("GET", "/docs/../template.yaml").status == 404


def test_the_event_documents_are_served_offline(stack):
    """GET /asyncapi.json is the generated document; /events is a page rendered from it that loads nothing
    from elsewhere; /schemas is the template's schema registry, which moto lacks."""
    document = stack.request("GET", "/asyncapi.json")
    assert document.status == 200 and document.body == (ROOT / "docs" / "asyncapi.json").read_bytes()
    page = stack.request("GET", "/events")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    html = page.body.decode()
    for channel in document.json()["channels"].values():
        assert f"<code>{channel['address']}</code>" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page must work offline"
    listed = stack.request("GET", "/schemas").json()["Schemas"]
    registry_schemas = {
        r["Properties"]["SchemaName"]: r["Properties"]
        for r in RESOURCES.values()
        if r["Type"] == "AWS::EventSchemas::Schema"
    }
    assert {entry["SchemaName"] for entry in listed} == set(registry_schemas)
    one = stack.request("GET", "/schemas/invoice-financing@invoice.financed")
    assert one.status == 200
    assert one.json()["Content"] == registry_schemas["invoice-financing@invoice.financed"]["Content"]
    assert stack.request("GET", "/schemas/invoice-financing@invoice.teleported").status == 404


def test_a_committed_change_reaches_a_subscriber_as_its_published_schema_says(stack):
    """The event a subscriber's own rule receives validates, with jsonschema, against docs/events/ (the
    stack also checks every event put on its bus, and the stack fixture fails on any violation)."""
    from jsonschema import Draft202012Validator

    url = _observer(stack, {"source": ["invoice-financing"], "detail-type": ["company.created"]})
    token = mint("acme", "invoices:write")
    created = stack.request(
        "POST",
        "/v1/companies",
        {"name": "Schema Check Ltd", "address": {"country_code": "GB"}},
        {"Authorization": f"Bearer {token}"},
    )
    assert created.status == 201
    received = [
        e for e in _receive(stack, url, timeout=30) if e["detail"]["object"]["id"] == created.json()["id"]
    ]
    (event,) = received
    # moto's default target input leaves out `account`, which EventBridge always sends (local/workers.py too).
    assert "account" not in event
    event["account"] = "123456789012"
    schema = json.loads((ROOT / "docs" / "events" / "company.created.json").read_text())
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(event)
    assert event["detail"]["schema_version"] == 1


def test_a_request_without_a_token_gets_401_in_the_error_envelope(stack):
    protected = [(m, p) for m, p, _ in _routes()]
    assert protected, "the template declares no API route"
    method, path = protected[0]
    response = stack.request(
        method, path.replace("{", "x").replace("}", "x"), body={} if method != "GET" else None
    )
    assert response.status == 401
    body = response.json()
    assert body["error"]["correlation_id"] == response.headers["x-amzn-requestid"]


OPEN_FINANCE = "/open-banking/invoice-financings/v2"
# Answers refused before or by a function, each family: (what, method, path, token scopes, body, gateway-made).
REFUSALS = [
    ("401 no token", "GET", "/v1/companies", None, None, True),
    ("401 no token, open finance", "GET", f"{OPEN_FINANCE}/contracts", None, None, True),
    ("403 missing scope", "GET", "/v1/companies", "credit-rights:read", None, False),
    ("404 unknown route", "GET", "/v1/no-such-route", "invoices:read", None, True),
    ("404 unknown route, open finance", "GET", f"{OPEN_FINANCE}/nothing", None, None, True),
    ("413 over 10 MB", "POST", "/v1/companies", "invoices:write", "x" * (10 * 1024 * 1024 + 1), True),
]
STATUS = {"401": 401, "403": 403, "404": 404, "413": 413}


def _refused(stack, case, correlation_id=None):
    what, method, path, scopes, body, _ = case
    headers = {"x-fapi-interaction-id": str(uuid.uuid4())}
    if scopes:
        headers["Authorization"] = f"Bearer {mint('e2e-refusals', scopes)}"
    if correlation_id:
        headers["x-correlation-id"] = correlation_id
    response = stack.request(method, path, body=body, headers=headers)
    assert response.status == STATUS[what[:3]], (what, response.status, response.body)
    return response, headers


@pytest.mark.parametrize("case", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_every_refusal_echoes_the_callers_correlation_id(stack, case):
    sent = f"e2e-{uuid.uuid4().hex}"
    response, headers = _refused(stack, case, sent)
    assert response.headers["x-correlation-id"] == sent
    if case[2].startswith(OPEN_FINANCE):  # Open Finance keeps echoing its interaction id
        assert response.headers["x-fapi-interaction-id"] == headers["x-fapi-interaction-id"]
        assert response.json()["errors"][0]["code"]


@pytest.mark.parametrize("case", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_a_refusal_without_a_correlation_id_is_named_by_its_request_id(stack, case):
    response, _ = _refused(stack, case)
    request_id = response.headers["x-amzn-requestid"]
    if case[5]:  # gateway-made: API Gateway cannot fall back from a request header, so it sends none
        assert "x-correlation-id" not in response.headers
    else:  # a function generates it from the same request id
        assert response.headers["x-correlation-id"] == request_id
    if not case[2].startswith(OPEN_FINANCE):
        assert response.json()["error"]["correlation_id"] == request_id


def test_an_unknown_route_is_a_404_in_the_core_envelope(stack):
    response = stack.request("GET", f"/no-such-route-{uuid.uuid4().hex}")
    assert response.status == 404
    assert response.json()["error"]["code"] == "route_missing"


def test_a_bad_token_is_rejected_by_the_authorizer(stack):
    method, path, _ = _routes()[0]
    response = stack.request(method, path, headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status == 401


def _authorizer() -> str:
    (api,) = _of_type("AWS::Serverless::Api")
    auth = RESOURCES[api]["Properties"]["Auth"]
    return auth["Authorizers"][auth["DefaultAuthorizer"]]["FunctionArn"]["Fn::GetAtt"][0]


def test_events_put_on_the_bus_reach_a_rules_queue(stack):
    url = _observer(stack, {"source": ["local.e2e"]})
    (bus_id,) = _of_type("AWS::Events::EventBus")
    bus = stack.health()["resources"][bus_id]
    stack.client("events").put_events(
        Entries=[{"EventBusName": bus, "Source": "local.e2e", "DetailType": "ping", "Detail": '{"n": 1}'}]
    )
    (event,) = _receive(stack, url)
    assert event["detail-type"] == "ping" and event["detail"] == {"n": 1}


def test_a_schedule_runs_on_demand(stack):
    assert stack.request("POST", "/_local/schedules/NoSuchSchedule").status == 404
    scheduled = _scheduled_functions()
    assert scheduled, "the template declares a scheduled function (the outbox sweeper)"
    response = stack.request("POST", f"/_local/schedules/{scheduled[0]}")
    assert response.status == 200, response.body
    (invocation,) = response.json()["invocations"]
    assert invocation["ok"] and invocation["function"] == scheduled[0]


def test_the_embedded_aws_counts_its_time_by_operation(stack):
    assert stack.request("DELETE", "/_local/aws_profile").status == 204
    tables = stack.client("dynamodb")
    for _ in range(3):
        tables.list_tables()
    rows = {row["operation"]: row for row in stack.request("GET", "/_local/aws_profile").json()["operations"]}
    listed = rows["dynamodb.ListTables"]
    assert listed["calls"] == 3 and listed["seconds"] > 0 and listed["waited"] >= 0
    assert stack.request("POST", "/_local/aws_profile").status == 405


# ----------------------------------------------------------------------------------------------------------
# The emulator's own behaviour (failures, retries, dead letters, authorizer decisions), on a small fixture
# template with throwaway handlers written to a temporary directory: the project's handlers are not involved.

FIXTURE_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
  DevJwtSecret: {Type: String, Default: ""}
Globals:
  Function:
    Runtime: python3.13  # SAM needs it to expand the functions' policies (local/iam.py)
    Timeout: 2
    Handler: app.lambda_handler
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Failures: {Type: AWS::SQS::Queue}
  DeadLetters: {Type: AWS::SQS::Queue}
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 1
      RedrivePolicy: {deadLetterTargetArn: !GetAtt DeadLetters.Arn, maxReceiveCount: 2}
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: !Sub "${AWS::StackName}-fixture"}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Auth:
        DefaultAuthorizer: Gate
        Authorizers:
          Gate:
            FunctionArn: !GetAtt Gate.Arn
            Identity: {Header: X-Key, ReauthorizeEvery: 0}
      GatewayResponses:
        ACCESS_DENIED:
          StatusCode: "403"
          ResponseTemplates: {application/json: '{"denied": $context.error.messageString}'}
  Throttled:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      MethodSettings:
        - {ResourcePath: "/*", HttpMethod: "*", ThrottlingBurstLimit: 1, ThrottlingRateLimit: 0.001}
      GatewayResponses:
        THROTTLED:
          StatusCode: "429"
          ResponseParameters: {Headers: {x-correlation-id: method.request.header.x-correlation-id}}
          ResponseTemplates: {application/json: '{"id": "$context.requestId", "m": $context.error.messageString}'}
  Gate:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: functions/gate/}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/echo/
      Events:
        Guarded: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/echo/{proxy+}", Method: any}}
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /open, Method: post, Auth: {Authorizer: NONE}}
        Limited: {Type: Api, Properties: {RestApiId: !Ref Throttled, Path: /limited, Method: get}}
  Streamer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/streamer/
      Policies: [{DynamoDBWritePolicy: {TableName: !Ref Table}}]  # its marks
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumRetryAttempts: 1
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria: {Filters: [{Pattern: '{"dynamodb": {"NewImage": {"kind": {"S": ["job"]}}}}'}]}
            DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Failures.Arn}}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Policies: [{DynamoDBWritePolicy: {TableName: !Ref Table}}]  # its marks
      Events:
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Work.Arn, BatchSize: 10, FunctionResponseTypes: [ReportBatchItemFailures]}
  Listener:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/listener/
      Policies: [{DynamoDBWritePolicy: {TableName: !Ref Table}}]  # its marks
      Events:
        Fixture:
          Type: EventBridgeRule
          Properties: {EventBusName: !Ref Bus, Pattern: {source: [fixture]}}
  Ticker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/ticker/
      Policies: [{DynamoDBWritePolicy: {TableName: !Ref Table}}]  # its marks
      Events:
        Often: {Type: Schedule, Properties: {Schedule: rate(1 minute)}}
"""

MARK = """
import os, boto3
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
def mark(name, **values):
    table.put_item(Item={"pk": name, "kind": "mark", **values})
"""

HANDLERS = {
    "gate": """
def lambda_handler(event, context):
    token = event["authorizationToken"]
    if token not in ("allow", "deny", "post-only"):
        raise Exception("Unauthorized")
    effect = "Deny" if token == "deny" else "Allow"
    resource = event["methodArn"].rsplit("/", 2)[0] + ("/POST/*" if token == "post-only" else "/*/*")
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
    return {"principalId": "acme|u", "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
            "context": {"tenant_id": "acme", "n": 1, "ok": True}}
""",
    "echo": """
import json, time
def lambda_handler(event, context):
    query = event["queryStringParameters"] or {}
    if "sleep" in query:
        time.sleep(float(query["sleep"]))
    if "fail" in query:
        raise RuntimeError("asked to fail")
    return {"statusCode": 200, "headers": {"X-Echo": "1"}, "body": json.dumps(event)}
""",
    "streamer": MARK
    + """
def lambda_handler(event, context):
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        if "fail" in image:
            raise RuntimeError("cannot process " + image["pk"]["S"])
        mark("streamed#" + image["pk"]["S"])
""",
    "worker": MARK
    + """
def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        if record["body"] == "poison":
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            mark("worked#" + record["body"], receives=record["attributes"]["ApproximateReceiveCount"])
    return {"batchItemFailures": failures}
""",
    "listener": MARK
    + """
def lambda_handler(event, context):
    mark("heard#" + event["detail"]["id"], detail_type=event["detail-type"])
""",
    "ticker": MARK
    + """
def lambda_handler(event, context):
    mark("ticked", detail_type=event["detail-type"], rule=event["resources"][0])
    return {"ticked": True}
""",
}


@pytest.fixture(scope="module")
def fixture_stack(tmp_path_factory):
    from tests.e2e.conftest import launch  # the launcher behind the `stack` fixture

    root = tmp_path_factory.mktemp("fixture-stack")
    (root / "template.yaml").write_text(FIXTURE_TEMPLATE)
    for name, source in HANDLERS.items():
        (root / "functions" / name).mkdir(parents=True)
        (root / "functions" / name / "app.py").write_text(source)
    with launch(root, LOCAL_TEMPLATE=str(root / "template.yaml"), STACK_NAME="fixture") as running:
        running.physical = running.health()["resources"]
        yield running


def _mark(stack, name: str, timeout: float = 8.0) -> dict | None:
    ddb = stack.client("dynamodb")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = ddb.get_item(TableName=stack.physical["Table"], Key={"pk": {"S": name}}).get("Item")
        if item:
            return {k: next(iter(v.values())) for k, v in item.items()}
        time.sleep(0.1)
    return None


def test_the_authorizer_decides_and_its_context_reaches_the_function(fixture_stack):
    assert fixture_stack.request("GET", "/echo/a").status == 401  # no identity header: not even called
    assert fixture_stack.request("GET", "/echo/a", headers={"X-Key": "nope"}).status == 401
    denied = fixture_stack.request("GET", "/echo/a", headers={"X-Key": "deny"})
    assert denied.status == 403
    assert denied.json() == {"denied": "User is not authorized to access this resource with an explicit deny"}
    assert fixture_stack.request("GET", "/echo/a", headers={"X-Key": "post-only"}).status == 403
    response = fixture_stack.request("GET", "/echo/a/b?x=1&x=2", headers={"X-Key": "allow"})
    assert response.status == 200 and response.headers["x-echo"] == "1"
    event = response.json()
    assert event["resource"] == "/echo/{proxy+}" and event["pathParameters"] == {"proxy": "a/b"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "acme|u"
    assert (authorizer["tenant_id"], authorizer["n"], authorizer["ok"]) == ("acme", "1", "true")
    open_route = fixture_stack.request("POST", "/open", body={"a": 1})
    assert open_route.status == 200 and "authorizer" not in open_route.json()["requestContext"]


def test_function_errors_timeouts_and_oversized_bodies(fixture_stack):
    failed = fixture_stack.request("GET", "/echo/x?fail=1", headers={"X-Key": "allow"})
    assert failed.status == 502 and failed.json() == {"message": "Internal server error"}
    timed_out = fixture_stack.request("GET", "/echo/x?sleep=3", headers={"X-Key": "allow"})
    assert timed_out.status == 502
    assert "Task timed out after 2.00 seconds" in fixture_stack.output()
    too_big = fixture_stack.request("POST", "/open", body="x" * (10 * 1024 * 1024 + 1))
    assert too_big.status == 413


def test_concurrent_requests_run_in_parallel(fixture_stack):
    import concurrent.futures

    def call(_):
        return fixture_stack.request("GET", "/echo/x?sleep=1.5", headers={"X-Key": "allow"}).status

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert list(pool.map(call, range(4))) == [200] * 4  # starts the containers: a process each
        started = time.monotonic()
        statuses = list(pool.map(call, range(4)))
        elapsed = time.monotonic() - started
    assert statuses == [200] * 4
    # Four warm containers at once take about 1.5 s; one after the other, at least 6 s (a wide margin,
    # so that a loaded machine cannot fail it; the fixture's timeout is 2 s).
    assert elapsed < 4.5


def test_stream_records_are_filtered_delivered_and_failures_go_to_the_destination(fixture_stack):
    ddb = fixture_stack.client("dynamodb")
    table = fixture_stack.physical["Table"]
    ddb.put_item(TableName=table, Item={"pk": {"S": "job-1"}, "kind": {"S": "job"}})
    assert _mark(fixture_stack, "streamed#job-1")
    ddb.put_item(TableName=table, Item={"pk": {"S": "other"}, "kind": {"S": "noise"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "job-bad"}, "kind": {"S": "job"}, "fail": {"BOOL": True}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "job-2"}, "kind": {"S": "job"}})
    assert _mark(fixture_stack, "streamed#job-2")  # the bad record does not block the shard for ever
    (failure,) = _receive(fixture_stack, fixture_stack.physical["Failures"])
    info = failure["DDBStreamBatchInfo"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    assert _mark(fixture_stack, "streamed#other", timeout=0.5) is None  # filtered out


def test_sqs_partial_failures_are_retried_then_dead_lettered(fixture_stack):
    sqs = fixture_stack.client("sqs")
    sqs.send_message(QueueUrl=fixture_stack.physical["Work"], MessageBody="ok-1")
    sqs.send_message(QueueUrl=fixture_stack.physical["Work"], MessageBody="poison")
    assert _mark(fixture_stack, "worked#ok-1")["receives"] == "1"  # deleted after the first delivery
    dead_letters = fixture_stack.physical["DeadLetters"]
    deadline = time.monotonic() + 10
    bodies: list[str] = []
    while time.monotonic() < deadline and not bodies:
        bodies = [
            m["Body"]
            for m in sqs.receive_message(QueueUrl=dead_letters, WaitTimeSeconds=1).get("Messages", [])
        ]
    assert bodies == ["poison"]  # reported failed on each of maxReceiveCount receives, then moved by SQS


def test_rules_deliver_events_to_functions(fixture_stack):
    events = fixture_stack.client("events")
    events.put_events(
        Entries=[
            {
                "EventBusName": fixture_stack.physical["Bus"],
                "Source": "fixture",
                "DetailType": "hello",
                "Detail": '{"id": "e1"}',
            },
            {
                "EventBusName": fixture_stack.physical["Bus"],
                "Source": "other",
                "DetailType": "x",
                "Detail": '{"id": "e2"}',
            },
        ]
    )
    assert _mark(fixture_stack, "heard#e1")["detail_type"] == "hello"
    assert _mark(fixture_stack, "heard#e2", timeout=0.5) is None


def test_schedules_run_on_demand_with_the_scheduled_event_shape(fixture_stack):
    response = fixture_stack.request("POST", "/_local/schedules/TickerOften")
    assert response.status == 200
    assert response.json()["invocations"][0]["result"] == {"ticked": True}
    mark = _mark(fixture_stack, "ticked")
    assert mark["detail_type"] == "Scheduled Event" and mark["rule"].startswith("arn:aws:events:")


def test_a_throttled_method_gets_the_templates_429_with_the_callers_correlation_id(fixture_stack):
    assert fixture_stack.request("GET", "/limited").status == 200  # the burst of one
    echoed = fixture_stack.request("GET", "/limited", headers={"x-correlation-id": "e2e-throttled"})
    assert echoed.status == 429 and echoed.headers["x-correlation-id"] == "e2e-throttled"
    assert echoed.json() == {"id": echoed.headers["x-amzn-requestid"], "m": "Too Many Requests"}
    anonymous = fixture_stack.request("GET", "/limited")
    assert anonymous.status == 429 and "x-correlation-id" not in anonymous.headers
    assert fixture_stack.request("GET", "/echo/a", headers={"X-Key": "allow"}).status == 200  # another API
