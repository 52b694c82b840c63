"""The development secret never reaches a deployment: deployed stages verify tokens against a JWKS, or
with HS256 keyed by a secret Secrets Manager generates (never a typed one), and the template's rules
refuse anything else before anything is deployed."""

import importlib.util
import sys

import pytest

from local.template import Resolver, TemplateError, load_template, parameter_values
from tests.integration.harness import ROOT

TEMPLATE = load_template()
JWKS = "https://issuer.example/.well-known/jwks.json"


def resolver(**overrides: str) -> Resolver:
    """The template as deployed with these parameters (the local stack's defaults allow loopback webhooks)."""
    deployed = {"WebhookAllowLoopback": "false", **overrides}
    return Resolver(TEMPLATE, parameters=parameter_values(TEMPLATE, deployed))


@pytest.mark.parametrize(
    "overrides",
    [
        {"Stage": "dev", "DevJwtSecret": "local-development-secret-change-me-0123456789"},
        {"Stage": "prod", "JwksUrl": JWKS, "DevJwtSecret": "a-typed-secret-of-more-than-32-bytes!!"},
        {"Stage": "dev", "JwksUrl": JWKS, "DevJwtSecret": "x"},
    ],
)
def test_a_deployed_stage_refuses_the_development_secret(overrides):
    with pytest.raises(TemplateError, match="DevJwtSecret"):
        resolver(**overrides).check_rules()


def test_a_deployed_stage_without_a_jwks_keys_hs256_with_a_generated_secret_of_32_bytes_or_more():
    deployed = resolver(Stage="dev")
    deployed.check_rules()
    assert deployed.resource_enabled("JwtSigningSecret")
    generated = TEMPLATE["Resources"]["JwtSigningSecret"]["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and "SecretStringTemplate" not in generated
    variables = TEMPLATE["Resources"]["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
    assert "DEV_JWT_SECRET" not in variables
    chosen = variables["JWT_SIGNING_SECRET_ARN"]["Fn::If"]
    assert chosen[0] == "GeneratedTokenSecret" and chosen[1] == {"Ref": "JwtSigningSecret"}


def test_no_function_environment_holds_a_secret_value_only_its_arn():
    """A dynamic reference resolves into the function's configuration, readable in clear by anyone who may
    read the function: the authorizer reads the generated key from Secrets Manager when it starts instead."""
    for name, resource in TEMPLATE["Resources"].items():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        assert "resolve:secretsmanager" not in str(variables), name


@pytest.mark.parametrize(
    ("overrides", "generated"), [({"Stage": "dev"}, True), ({"Stage": "dev", "JwksUrl": JWKS}, False)]
)
def test_the_authorizer_may_read_the_generated_secret_only_when_there_is_one(overrides, generated):
    deployed = resolver(**overrides)
    deployed.refs["JwtSigningSecret"] = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt"
    policies = deployed.resolve(TEMPLATE["Resources"]["AuthorizerFunction"]["Properties"]["Policies"])
    readable = [p for p in policies if "AWSSecretsManagerGetSecretValuePolicy" in p]
    assert len(readable) == int(generated)


@pytest.mark.parametrize(
    ("overrides", "generated"),
    [
        ({"Stage": "dev", "JwksUrl": JWKS}, False),
        ({"Stage": "prod", "JwksUrl": JWKS}, False),
        ({"Stage": "local", "WebhookAllowLoopback": "true"}, False),
    ],
)
def test_no_secret_is_generated_where_a_jwks_or_the_local_stack_keys_the_tokens(overrides, generated):
    assert resolver(**overrides).resource_enabled("JwtSigningSecret") is generated


def _authorizer(monkeypatch, secret: str, secret_arn: str = ""):
    monkeypatch.setenv("JWT_SIGNING_SECRET", secret)
    monkeypatch.setenv("JWT_SIGNING_SECRET_ARN", secret_arn)
    monkeypatch.setenv("JWKS_URL", "")
    spec = importlib.util.spec_from_file_location(
        "fn_authorizer_fresh", ROOT / "functions" / "authorizer" / "app.py"
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_the_authorizer_refuses_to_verify_with_a_secret_shorter_than_32_bytes(monkeypatch):
    assert _authorizer(monkeypatch, "short-secret").verifier.dev_secret == ""
    long_enough = "s" * 32
    assert _authorizer(monkeypatch, long_enough).verifier.dev_secret == long_enough


def test_a_deployed_authorizer_reads_the_generated_key_from_secrets_manager_when_it_starts(monkeypatch):
    from moto import mock_aws

    from financing.adapters.aws import client
    from financing.adapters.secrets import secret_string

    generated = "g" * 64
    client.cache_clear()
    secret_string.cache_clear()
    with mock_aws():
        arn = client("secretsmanager").create_secret(Name="jwt", SecretString=generated)["ARN"]
        assert _authorizer(monkeypatch, "", secret_arn=arn).verifier.dev_secret == generated
        client("secretsmanager").update_secret(SecretId=arn, SecretString="too-short")
        secret_string.cache_clear()
        assert _authorizer(monkeypatch, "", secret_arn=arn).verifier.dev_secret == ""
    client.cache_clear()
    secret_string.cache_clear()
