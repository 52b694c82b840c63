"""API Gateway emulation of the local stack: route matching, authorizer policies, proxy events and responses."""

import base64
import json

import pytest

from local.apigateway import (
    AuthorizerConfigurationError,
    MalformedResponse,
    Request,
    RouteTable,
    Throttle,
    authorizer_context,
    evaluate_policy,
    http_response,
    method_throttling,
    proxy_event,
    render_gateway_response,
    unrendered_gateway_sources,
)
from local.model import ApiSpec, Route
from local.template import Resolver, load_template


def _route(method, path, function="F"):
    return Route(method, path, function, "Api", None)


TABLE = RouteTable(
    [
        _route("GET", "/v1/companies", "List"),
        _route("POST", "/v1/companies", "Create"),
        _route("GET", "/v1/companies/{company_id}", "Get"),
        _route("GET", "/v1/companies/search", "Search"),
        _route("ANY", "/v1/companies/{company_id}", "AnyCompany"),
        _route("ANY", "/files/{proxy+}", "Files"),
        _route("GET", "/", "Root"),
    ]
)


@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/v1/companies", "List", {}),
        ("POST", "/v1/companies", "Create", {}),
        ("GET", "/v1/companies/", "List", {}),
        ("GET", "/v1/companies/c_1", "Get", {"company_id": "c_1"}),
        ("GET", "/v1/companies/search", "Search", {}),  # a literal beats a parameter
        ("DELETE", "/v1/companies/c_1", "AnyCompany", {"company_id": "c_1"}),  # ANY when no exact method
        ("GET", "/v1/companies/a%20b", "Get", {"company_id": "a b"}),
        ("PUT", "/files/a/b/c.pdf", "Files", {"proxy": "a/b/c.pdf"}),
        ("GET", "/", "Root", {}),
    ],
)
def test_routes_match_the_most_specific_resource(method, path, function, params):
    route, found = TABLE.match(method, path)
    assert route.function == function
    assert found == params


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/v1/companies"), ("GET", "/v2/companies"), ("GET", "/files"), ("GET", "/v1")],
)
def test_unknown_routes_do_not_match(method, path):
    assert TABLE.match(method, path) is None


def test_duplicate_routes_are_refused():
    with pytest.raises(ValueError, match="declared by"):
        RouteTable([_route("GET", "/a", "One"), _route("GET", "/a/", "Two")])


ARN = "arn:aws:execute-api:us-east-1:123456789012:abc/local/GET/v1/companies"


def _policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_policies_allow_deny_and_wildcards():
    allow_all = {
        "Effect": "Allow",
        "Action": "execute-api:Invoke",
        "Resource": "arn:aws:execute-api:*:*:abc/local/*/*",
    }
    assert evaluate_policy(_policy(allow_all), ARN) == "Allow"
    other_method = {**allow_all, "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc/local/POST/*"}
    assert evaluate_policy(_policy(other_method), ARN) == "None"
    deny = {"Effect": "Deny", "Action": ["execute-api:*"], "Resource": [ARN]}
    assert evaluate_policy(_policy(allow_all, deny), ARN) == "Deny"
    assert (
        evaluate_policy({"Statement": {**allow_all, "Resource": ARN.replace("GET", "GE?")}}, ARN) == "Allow"
    )
    assert evaluate_policy(_policy(), ARN) == "None"


def test_authorizer_context_is_stringified_like_api_gateway():
    principal, _document, context = authorizer_context(
        {
            "principalId": "acme|u",
            "policyDocument": _policy(),
            "context": {"tenant_id": "acme", "n": 3, "ok": True},
        }
    )
    assert principal == "acme|u"
    assert context == {"tenant_id": "acme", "n": "3", "ok": "true"}
    with pytest.raises(AuthorizerConfigurationError):
        authorizer_context({"principalId": "x", "policyDocument": _policy(), "context": {"nested": {"a": 1}}})
    with pytest.raises(AuthorizerConfigurationError):
        authorizer_context({"policyDocument": _policy()})


def test_a_path_matching_no_route_belongs_to_the_api_sharing_its_leading_segments():
    table = RouteTable(
        [
            Route("GET", "/v1/companies", "List", "Api", None),
            Route(
                "GET", "/open-banking/invoice-financings/v2/contracts", "Contracts", "OpenFinanceApi", None
            ),
            Route(
                "GET",
                "/open-banking/invoice-financings/v2/contracts/{contractId}",
                "Get",
                "OpenFinanceApi",
                None,
            ),
        ]
    )
    assert table.api_for("/open-banking/invoice-financings/v2/nothing") == "OpenFinanceApi"
    assert table.api_for("/v1/unknown") == "Api"
    assert table.api_for("/elsewhere") is None


def test_a_configured_content_type_replaces_the_default():
    api = _api(
        UNAUTHORIZED={
            "ResponseParameters": {"Headers": {"Content-Type": "'application/json; charset=utf-8'"}}
        }
    )
    _, headers, _ = render_gateway_response(api, "UNAUTHORIZED", {"requestId": "r"})
    assert [v for n, v in headers if n.lower() == "content-type"] == ["application/json; charset=utf-8"]


def test_gateway_responses_can_echo_a_request_header():
    api = _api(
        UNAUTHORIZED={
            "ResponseParameters": {
                "Headers": {"x-fapi-interaction-id": "method.request.header.x-fapi-interaction-id"}
            }
        }
    )
    _, headers, _ = render_gateway_response(
        api, "UNAUTHORIZED", {"requestId": "r"}, {"X-Fapi-Interaction-Id": "abc"}
    )
    assert ("x-fapi-interaction-id", "abc") in headers
    _, headers, _ = render_gateway_response(api, "UNAUTHORIZED", {"requestId": "r"}, {})
    assert all(n != "x-fapi-interaction-id" for n, _ in headers)


def _api(**responses):
    return ApiSpec("Api", "abc1234567", "local", {}, responses, [], None, None)


def test_gateway_responses_render_the_templates_configuration():
    api = _api(
        UNAUTHORIZED={
            "StatusCode": "401",
            "ResponseParameters": {"Headers": {"x-correlation-id": "context.requestId", "x-fixed": "'yes'"}},
            "ResponseTemplates": {
                "application/json": '{"id": "$context.requestId", "m": $context.error.messageString}'
            },
        },
        DEFAULT_4XX={"ResponseTemplates": {"application/json": '{"message": "$context.error.message"}'}},
    )
    status, headers, body = render_gateway_response(api, "UNAUTHORIZED", {"requestId": "r-1"})
    assert status == 401
    assert ("x-correlation-id", "r-1") in headers and ("x-fixed", "yes") in headers
    assert json.loads(body) == {"id": "r-1", "m": "Unauthorized"}
    status, _, body = render_gateway_response(api, "MISSING_AUTHENTICATION_TOKEN", {"requestId": "r-2"})
    assert status == 403
    assert json.loads(body) == {"message": "Missing Authentication Token"}
    status, _, body = render_gateway_response(_api(), "REQUEST_TOO_LARGE", {"requestId": "r"})
    assert status == 413 and json.loads(body) == {"message": "Request Too Long"}


def _request(**kwargs):
    defaults = {
        "method": "GET",
        "path": "/v1/companies/c%201",
        "query": [],
        "headers": [("Host", "127.0.0.1:3000"), ("Accept", "a"), ("Accept", "b")],
        "body": None,
        "source_ip": "127.0.0.1",
    }
    return Request(**{**defaults, **kwargs})


def test_proxy_event_has_the_rest_api_shape():
    api = _api()
    route = _route("GET", "/v1/companies/{company_id}", "Get")
    event = proxy_event(api, route, {"company_id": "c 1"}, _request(), "123456789012", {"principalId": "p"})
    assert event["resource"] == "/v1/companies/{company_id}"
    assert event["path"] == "/v1/companies/c%201"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["Accept"] == "b" and event["multiValueHeaders"]["Accept"] == ["a", "b"]
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] == {"company_id": "c 1"}
    assert event["stageVariables"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "local" and context["path"] == "/local/v1/companies/c%201"
    assert context["resourcePath"] == "/v1/companies/{company_id}" and context["apiId"] == "abc1234567"
    assert context["identity"]["sourceIp"] == "127.0.0.1" and context["authorizer"] == {"principalId": "p"}
    assert len(context["requestId"]) == 36 and isinstance(context["requestTimeEpoch"], int)


def test_proxy_event_query_strings_and_bodies():
    api = _api()
    route = _route("POST", "/v1/companies")
    request = _request(
        method="POST", path="/v1/companies", query=[("a", "1"), ("a", "2"), ("b", "")], body=b'{"x": 1}'
    )
    event = proxy_event(api, route, {}, request, "1")
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["body"] == '{"x": 1}' and event["isBase64Encoded"] is False
    binary = proxy_event(api, route, {}, _request(method="POST", body=b"\xff\x00"), "1")
    assert binary["isBase64Encoded"] is True and base64.b64decode(binary["body"]) == b"\xff\x00"


def test_lambda_results_become_http_responses():
    status, headers, body = http_response(
        {"statusCode": 201, "headers": {"X-A": "1"}, "body": '{"ok": true}'}
    )
    assert status == 201 and ("X-A", "1") in headers and ("Content-Type", "application/json") in headers
    assert body == b'{"ok": true}'
    status, headers, body = http_response(
        {
            "statusCode": 200,
            "headers": {"Set-Cookie": "ignored", "Content-Type": "image/png"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        }
    )
    assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert body == b"\x89PNG"
    for bad in (None, "text", {"body": "x"}, {"statusCode": 200, "body": {"a": 1}}, {"statusCode": "abc"}):
        with pytest.raises(MalformedResponse):
            http_response(bad)


# ---------------------------------------------------------------- the template's own gateway responses

_TEMPLATE = load_template()
# As the local stack reads them: intrinsics resolved for the local stage (deployed-only headers drop out).
_TEMPLATE_APIS = {
    name: {"GatewayResponses": Resolver(_TEMPLATE).resolve(resource["Properties"]["GatewayResponses"])}
    for name, resource in _TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Api"
}
_GATEWAY_MADE = [
    ("UNAUTHORIZED", 401),
    ("ACCESS_DENIED", 403),
    ("MISSING_AUTHENTICATION_TOKEN", 404),
    ("REQUEST_TOO_LARGE", 413),
    ("THROTTLED", 429),
]


def _template_api(name):
    props = _TEMPLATE_APIS[name]
    return ApiSpec(name, "abc1234567", "dev", {}, props["GatewayResponses"], [], None, None)


@pytest.mark.parametrize("api_name", sorted(_TEMPLATE_APIS))
@pytest.mark.parametrize(("kind", "status"), _GATEWAY_MADE)
def test_the_templates_gateway_responses_echo_the_callers_correlation_id(api_name, kind, status):
    api = _template_api(api_name)
    rendered, headers, body = render_gateway_response(
        api, kind, {"requestId": "req-1"}, {"X-Correlation-Id": "client-7", "x-fapi-interaction-id": "f-1"}
    )
    assert rendered == status
    assert [v for n, v in headers if n.lower() == "x-correlation-id"] == ["client-7"]
    document = json.loads(body)
    if api_name == "OpenFinanceApi":
        assert [v for n, v in headers if n.lower() == "x-fapi-interaction-id"] == ["f-1"]
        assert set(document) == {"errors"} and document["errors"][0]["code"]
    else:  # the core envelope names API Gateway's request id, which AWS also sends as x-amzn-RequestId
        assert document["error"]["correlation_id"] == "req-1"


@pytest.mark.parametrize("api_name", sorted(_TEMPLATE_APIS))
@pytest.mark.parametrize(("kind", "status"), _GATEWAY_MADE)
def test_without_a_correlation_id_the_header_is_left_out_as_api_gateway_does(api_name, kind, status):
    # A gateway response header has one source and no fallback: with no x-correlation-id to echo,
    # API Gateway sends none; the request id (x-amzn-RequestId, the body's correlation_id) names it.
    rendered, headers, body = render_gateway_response(
        _template_api(api_name), kind, {"requestId": "req-2"}, {}
    )
    assert rendered == status
    assert all(n.lower() != "x-correlation-id" for n, _ in headers)
    assert b"req-2" in body or api_name == "OpenFinanceApi"


def test_a_header_source_the_emulator_cannot_render_is_named():
    responses = {
        "UNAUTHORIZED": {
            "ResponseParameters": {
                "Headers": {
                    "a": "method.request.header.x-a",
                    "b": "'static'",
                    "c": "context.requestId",
                    "d": "method.request.querystring.q",
                    "e": "context.authorizer.tenant_id",
                }
            }
        }
    }
    assert unrendered_gateway_sources(responses) == [
        "UNAUTHORIZED: d <- method.request.querystring.q",
        "UNAUTHORIZED: e <- context.authorizer.tenant_id",
    ]


def test_method_throttling_picks_the_most_specific_setting():
    settings = [
        {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100},
        {
            "ResourcePath": "/~1v1~1companies",
            "HttpMethod": "POST",
            "ThrottlingBurstLimit": 5,
            "ThrottlingRateLimit": 1,
        },
        {"ResourcePath": "/~1v1~1other", "HttpMethod": "*", "MetricsEnabled": True},
    ]
    assert method_throttling(settings, "POST", "/v1/companies") == (1.0, 5)
    assert method_throttling(settings, "GET", "/v1/companies") == (100.0, 200)
    assert method_throttling(settings, "GET", "/v1/other") is None  # the specific one sets no limit
    assert method_throttling([], "GET", "/v1/companies") is None


def test_a_method_is_throttled_past_its_burst_and_refills_at_its_rate():
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    api = _api()
    api.method_settings = [
        {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 1}
    ]
    companies, other = _route("GET", "/v1/companies"), _route("GET", "/v1/other")
    assert [throttle.admit(api, companies) for _ in range(3)] == [True, True, False]
    assert throttle.admit(api, other)  # each method has its own bucket
    now[0] = 0.5
    assert not throttle.admit(api, companies)
    now[0] = 1.0
    assert throttle.admit(api, companies) and not throttle.admit(api, companies)
    assert all(Throttle().admit(_api(), companies) for _ in range(50))  # no setting: never throttled
