"""The web pages' delivery: the local-only development sign-in, CORS for the pages' origin only, and the
deployed bucket, distribution and content security policy, checked on template.yaml itself."""

import json
import re

import pytest

from financing.api.core import with_cors
from financing.auth.tokens import Verifier
from local import web
from local.settings import DEV_JWT_SECRET
from local.template import load_template

RESOURCES = load_template()["Resources"]
ORIGIN = "https://d111111abcdef8.cloudfront.net"


def mint(content_type: str | None, body: object) -> tuple[int, dict]:
    status, _, answer = web.development_token(content_type, json.dumps(body).encode())
    return status, json.loads(answer)


def test_the_development_sign_in_mints_a_token_the_local_authorizer_accepts_for_that_tenant_and_scopes():
    status, answer = mint(
        "application/json", {"tenant": "acme", "scopes": ["invoices:read", "lender:operate"]}
    )
    assert status == 201
    claims = Verifier(
        issuer="invoice-financing", audience="invoice-financing-api", dev_secret=DEV_JWT_SECRET
    ).verify(f"Bearer {answer['token']}")
    assert claims.tenant_id == "acme" and set(claims.scopes) == {"invoices:read", "lender:operate"}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", {"tenant": "acme", "scopes": ["invoices:read"]}),  # a cross-origin form could send it
        ("application/json", {"tenant": "", "scopes": ["invoices:read"]}),
        ("application/json", {"tenant": "acme/../x", "scopes": ["invoices:read"]}),
        ("application/json", {"tenant": "acme", "scopes": []}),
        ("application/json", {"tenant": "acme", "scopes": ["admin"]}),
        ("application/json", ["acme"]),
    ],
)
def test_the_development_sign_in_refuses_what_it_cannot_mint(content_type, body):
    status, answer = mint(content_type, body)
    assert status in (400, 415) and "token" not in answer


def test_only_the_pages_origin_may_read_the_apis_answers():
    answer = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
    ours = with_cors({"headers": {"Origin": ORIGIN}}, dict(answer, headers=dict(answer["headers"])), ORIGIN)
    assert ours["headers"]["Access-Control-Allow-Origin"] == ORIGIN
    assert ours["headers"]["Access-Control-Expose-Headers"] == "x-correlation-id"
    for headers in ({"origin": "https://evil.example"}, {}):
        other = with_cors({"headers": headers}, dict(answer, headers=dict(answer["headers"])), ORIGIN)
        assert not any(name.startswith("Access-Control") for name in other["headers"])
    unset = with_cors({"headers": {"Origin": ORIGIN}}, dict(answer, headers=dict(answer["headers"])), "")
    assert "Access-Control-Allow-Origin" not in unset["headers"]


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def test_the_deployed_pages_come_from_a_private_bucket_through_cloudfront_only():
    bucket = RESOURCES["WebBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    statements = RESOURCES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    reader = next(s for s in statements if s["Effect"] == "Allow")
    assert (
        reader["Principal"] == {"Service": "cloudfront.amazonaws.com"} and reader["Action"] == "s3:GetObject"
    )
    assert "WebDistribution" in reader["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    distribution = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]
    assert distribution["Origins"][0]["OriginAccessControlId"] == {
        "Fn::GetAtt": ["WebOriginAccessControl", "Id"]
    }
    behaviour = distribution["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebResponseHeadersPolicy"}


def test_the_content_security_policy_is_strict_and_the_same_locally_and_deployed():
    config = RESOURCES["WebResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    deployed = _directives(
        config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    )
    local = _directives(web.CONTENT_SECURITY_POLICY)
    # Deployed, the API and the sign-in provider are other origins; locally the API is the page's own.
    assert deployed.pop("connect-src") == [
        "'self'",
        "https://*.execute-api.${AWS::Region}.amazonaws.com",
        "${ConsoleOidcIssuer}",
    ]
    assert local.pop("connect-src") == ["'self'"]
    assert deployed == local
    assert local.pop("img-src") == ["'self'", "data:"]
    for sources in local.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"} & set(sources)
    assert local["default-src"] == ["'none'"] and local["script-src"] == ["'self'"]
    assert local["frame-ancestors"] == ["'none'"]


def test_the_api_answers_cors_for_the_distribution_only():
    cors = RESOURCES["Api"]["Properties"]["Cors"]
    deployed, _local = cors["AllowOrigin"]["Fn::If"][1:]
    assert deployed == {"Fn::Sub": "'https://${WebDistribution.DomainName}'"}
    assert "*" not in json.dumps(cors)
    assert re.search(
        r"WebDistribution\.DomainName", json.dumps(RESOURCES["Api"]["Properties"]["GatewayResponses"])
    )


def test_publishing_writes_every_built_file_and_the_stacks_web_config(tmp_path):
    import boto3
    from moto import mock_aws

    from local.publish_web import publish

    (tmp_path / "console").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "console" / "index.html").write_text("<!doctype html>")
    (tmp_path / "assets" / "console-abc123.js").write_text("export {}")
    (tmp_path / ".built").write_text("")
    config = '{"api_url": "https://abc.execute-api.us-east-1.amazonaws.com/dev", "sign_in": "oidc"}'
    outputs = {"WebBucketName": {"Value": "web-bucket"}, "WebConfig": {"Value": config}}
    stack = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": outputs,
    }
    with mock_aws():
        s3, cloudformation = boto3.client("s3"), boto3.client("cloudformation")
        s3.create_bucket(Bucket="web-bucket")
        cloudformation.create_stack(StackName="invoice-financing-dev", TemplateBody=json.dumps(stack))
        keys = publish("invoice-financing-dev", tmp_path, cloudformation, s3)
        assert keys == ["assets/console-abc123.js", "console/index.html", "web-config.json"]
        page = s3.get_object(Bucket="web-bucket", Key="console/index.html")
        asset = s3.get_object(Bucket="web-bucket", Key="assets/console-abc123.js")
        written = s3.get_object(Bucket="web-bucket", Key="web-config.json")
        assert page["ContentType"] == "text/html" and page["CacheControl"] == "no-cache"
        assert asset["ContentType"] == "text/javascript" and "immutable" in asset["CacheControl"]
        assert json.loads(written["Body"].read()) == json.loads(config)
