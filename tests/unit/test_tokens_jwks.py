"""RS256 tokens verified against a JWKS URL, as deployed: an https identity provider served here on loopback.
Keys are trusted for KEY_CACHE_MINUTES after they are fetched, so a key the provider withdraws stops working."""

import json
import re
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from financing import clock
from financing.auth.tokens import KEY_CACHE_MINUTES, UNKNOWN_KID_COOLDOWN, InvalidToken, Verifier
from local.template import load_template
from tests.jwks_support import identity_provider

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
START = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "iss": "https://issuer.example",
        "aud": "invoice-financing-api",
        "sub": "u1",
        "tenant_id": "acme",
        "scope": "invoices:read",
        "iat": now,
        "exp": now + 60,
    }
    return {**claims, **overrides}


def _token(key=KEY, kid="k1", **claims):
    return "Bearer " + jwt.encode(_claims(**claims), key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def at():
    """The platform clock, set to START and moved by calling at(delta)."""

    def move(delta=timedelta()):
        clock.set_clock(lambda: START + delta)

    move()
    yield move
    clock.reset_clock()


@pytest.fixture
def provider():
    with identity_provider((KEY, "k1")) as serving:
        yield serving


@pytest.fixture
def verifier(provider):
    return Verifier(
        issuer="https://issuer.example",
        audience="invoice-financing-api",
        jwks_url=provider.url,
        ssl_context=provider.client_context,
    )


def test_an_rs256_token_signed_by_the_issuer_verifies(verifier):
    assert verifier.verify(_token()).tenant_id == "acme"


def test_a_token_signed_by_another_key_is_refused(verifier):
    with pytest.raises(InvalidToken):
        verifier.verify(_token(OTHER_KEY))


def test_hs256_signed_with_the_public_key_is_refused(verifier):
    """Algorithm confusion: the public key used as an HMAC secret must not verify."""
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    signing = jwt.api_jws.PyJWS()
    signing._algorithms["HS256"].prepare_key = lambda key: (
        key
    )  # allow a PEM as HMAC secret, as an attacker would
    token = signing.encode(json.dumps(_claims()).encode(), public_pem, algorithm="HS256", headers=header)
    with pytest.raises(InvalidToken):
        verifier.verify(f"Bearer {token}")


def test_a_token_with_an_unknown_kid_is_refused(verifier):
    with pytest.raises(InvalidToken):
        verifier.verify(_token(kid="unknown"))


def test_a_development_hs256_token_is_refused_when_jwks_is_configured(verifier):
    token = jwt.encode(_claims(), "local-development-secret-change-me-0123456789", algorithm="HS256")
    with pytest.raises(InvalidToken):
        verifier.verify(f"Bearer {token}")


def test_a_withdrawn_key_works_until_the_cache_expires_then_is_refused(provider, verifier, at):
    assert verifier.verify(_token()).tenant_id == "acme"
    provider.serve((OTHER_KEY, "k2"))  # the provider withdraws k1
    at(timedelta(minutes=KEY_CACHE_MINUTES) - timedelta(seconds=1))
    assert verifier.verify(_token()).tenant_id == "acme", "still within the documented cache time"
    assert len(provider.fetches) == 1
    at(timedelta(minutes=KEY_CACHE_MINUTES))
    with pytest.raises(InvalidToken):
        verifier.verify(_token())
    assert len(provider.fetches) == 2, "k1 was fetched again, and found withdrawn"
    assert verifier.verify(_token(OTHER_KEY, "k2")).tenant_id == "acme"


def test_a_key_rotated_in_is_fetched_when_first_seen(provider, verifier, at):
    assert verifier.verify(_token()).tenant_id == "acme"
    provider.serve((KEY, "k1"), (OTHER_KEY, "k2"))
    at(UNKNOWN_KID_COOLDOWN)
    assert verifier.verify(_token(OTHER_KEY, "k2")).tenant_id == "acme"
    assert verifier.verify(_token()).tenant_id == "acme"
    assert len(provider.fetches) == 2


def test_tokens_with_unknown_kids_fetch_the_key_set_at_most_once_per_cooldown(provider, verifier, at):
    assert verifier.verify(_token()).tenant_id == "acme"
    for n in range(20):
        with pytest.raises(InvalidToken):
            verifier.verify(_token(kid=f"made-up-{n}"))
    assert len(provider.fetches) == 1, "a stream of made-up kids must not hammer the identity provider"
    at(UNKNOWN_KID_COOLDOWN)
    with pytest.raises(InvalidToken):
        verifier.verify(_token(kid="made-up-again"))
    assert len(provider.fetches) == 2


def test_while_the_provider_is_down_expired_keys_verify_nothing_and_it_is_asked_once_per_cooldown(
    provider, verifier, at
):
    assert verifier.verify(_token()).tenant_id == "acme"
    provider.available = False
    at(timedelta(minutes=KEY_CACHE_MINUTES))
    for _ in range(5):
        with pytest.raises(InvalidToken):
            verifier.verify(_token())
    assert len(provider.fetches) == 2
    provider.available = True
    at(timedelta(minutes=KEY_CACHE_MINUTES) + UNKNOWN_KID_COOLDOWN)
    assert verifier.verify(_token()).tenant_id == "acme"
    assert len(provider.fetches) == 3


def test_a_jwks_url_that_is_not_https_is_refused_at_start(provider):
    for url in [
        provider.url.replace("https://", "http://"),
        "file:///etc/passwd",
        "ftp://issuer.example/jwks",
    ]:
        with pytest.raises(ValueError, match="https"):
            Verifier(issuer="https://issuer.example", audience="invoice-financing-api", jwks_url=url)


def test_the_template_accepts_only_an_https_jwks_url_or_none():
    parameter = load_template()["Parameters"]["JwksUrl"]
    pattern = parameter["AllowedPattern"]
    assert f"{KEY_CACHE_MINUTES} minutes" in parameter["Description"]
    # CloudFormation matches an AllowedPattern against the whole value.
    accepted = ["", "https://issuer.example/.well-known/jwks.json", "https://login.example:8443/keys"]
    refused = ["http://issuer.example/jwks", "ftp://issuer.example/jwks", "https://", "https://a b", "jwks"]
    assert [url for url in accepted if not re.fullmatch(pattern, url)] == []
    assert [url for url in refused if re.fullmatch(pattern, url)] == []
