"""Webhook rules: which URLs and addresses may receive, which events match, signing, and the retry schedule."""

import base64
import hashlib
import hmac
import re
import secrets
import string
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook

from financing import clock
from financing.domain import webhooks as rules
from financing.domain.errors import InvalidInput
from financing.domain.event_catalogue import EVENT_TYPES
from financing.domain.retries import RetrySchedule
from financing.domain.webhooks import (
    Attempt,
    AttemptOutcome,
    DeliveryStatus,
    address_problem,
    after_attempt,
    new_delivery,
    url_problem,
)
from financing.families.core.webhooks import subscription_with_secret
from tests.webhooks_support import ROOT, library_refusal, readme_receive, readme_verify


def subscription(**overrides):
    values = {
        "tenant_id": "acme",
        "url": "https://receiver.example/hooks",
        "event_types": ["invoice.financed"],
        "description": None,
        "allow_loopback": False,
    }
    return rules.subscribe(**{**values, **overrides})


# ------------------------------------------------------------------------------------ URLs and addresses


@pytest.mark.parametrize(
    "url",
    [
        "https://receiver.example/hooks",
        "https://receiver.example:8443/hooks?source=platform",
        "https://93.184.216.34/hooks",
        "https://[2606:4700:4700::1111]/hooks",
    ],
)
def test_public_https_urls_are_accepted(url):
    assert url_problem(url, allow_loopback=False) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://receiver.example/hooks", "https"),
        ("ftp://receiver.example/hooks", "https"),
        ("receiver.example/hooks", "absolute"),
        ("https://user:pass@receiver.example/hooks", "credentials"),
        ("https://receiver.example/hooks#part", "fragment"),
        ("https://receiver.example:99999/", "absolute"),
        ("https://localhost/hooks", "loopback"),
        ("http://127.0.0.1:8080/hooks", "loopback"),
        ("https://[::1]/hooks", "loopback"),
        ("https://api.localhost/hooks", "loopback"),
        ("https://10.0.0.8/hooks", "private"),
        ("https://192.168.1.1/hooks", "private"),
        ("https://169.254.169.254/latest/meta-data", "metadata"),
        ("https://[fd00:ec2::254]/", "metadata"),
        ("https://[fe80::1]/", "link-local"),
        ("https://[::ffff:10.0.0.1]/", "private"),
        ("https://" + "a" * 2050 + ".example/", "2048"),
    ],
)
def test_urls_that_cannot_receive_webhooks_are_refused_with_a_reason(url, problem):
    assert problem in (url_problem(url, allow_loopback=False) or "")


def test_where_loopback_is_allowed_http_to_this_machine_is_fine_but_not_to_others():
    for url in ("http://127.0.0.1:8080/hooks", "http://localhost:3001/", "http://[::1]:9000/"):
        assert url_problem(url, allow_loopback=True) is None
    assert "https" in url_problem("http://receiver.example/", allow_loopback=True)
    assert "private" in url_problem("https://10.0.0.1/", allow_loopback=True)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 form of 169.254.169.254
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.10", "private"),
        ("fc00::1", "private"),
        ("169.254.10.10", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("0.0.0.0", "not public"),  # noqa: S104 - an address under test, not a binding
        ("::", "not public"),
        ("224.0.0.1", "not public"),
        ("100.64.0.1", "not public"),  # carrier-grade NAT
        ("2002:c0a8:0101::1", "private"),  # 6to4 of 192.168.1.1
        ("not-an-address", "invalid"),
    ],
)
def test_resolved_addresses_that_must_not_be_connected_to(address, problem):
    assert problem in (address_problem(address, allow_loopback=False) or "")


def test_loopback_addresses_are_allowed_only_where_loopback_is_allowed_and_metadata_never():
    assert address_problem("127.0.0.1", allow_loopback=True) is None
    assert address_problem("::1", allow_loopback=True) is None
    assert address_problem("169.254.169.254", allow_loopback=True) is not None
    assert address_problem("10.0.0.1", allow_loopback=True) is not None
    assert address_problem("93.184.216.34", allow_loopback=False) is None
    assert address_problem("2606:4700:4700::1111", allow_loopback=False) is None


# ------------------------------------------------------------------------------------ subscriptions


def test_a_new_subscription_has_a_whsec_secret_that_its_representation_never_shows():
    created = subscription()
    secret = created.secret.get_secret_value()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret), "whsec_ + base64 of 32 bytes"
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert created.id.startswith("whsub_") and created.enabled
    assert secret not in repr(created) and secret not in str(created.model_dump())
    assert secret not in created.model_dump_json()


def test_event_types_are_checked_against_the_catalogue():
    assert subscription(event_types=["*"]).event_types == ["*"]
    assert subscription(event_types=["invoice.new", "invoice.new", "company.created"]).event_types == [
        "invoice.new",
        "company.created",
    ]
    for bad in ([], ["invoice.exploded"], ["*", "invoice.new"]):
        with pytest.raises(InvalidInput) as refused:
            subscription(event_types=bad)
        assert refused.value.problems[0].field == "event_types"


def test_matching_wants_the_type_or_star_and_an_enabled_subscription():
    some = subscription(event_types=["invoice.financed", "invoice.repaid"])
    assert some.receives("invoice.financed") and not some.receives("invoice.new")
    every = subscription(event_types=["*"])
    assert every.receives("company.created") and every.receives("credit_rights_registration_success-1")
    disabled = rules.revise(every, {"enabled": False}, allow_loopback=False)
    assert not disabled.receives("company.created")


def test_revising_checks_the_new_url_keeps_the_secret_and_rotating_replaces_it():
    created = subscription()
    revised = rules.revise(created, {"url": "https://other.example/"}, allow_loopback=False)
    assert revised.url == "https://other.example/" and revised.version == created.version + 1
    assert revised.secret == created.secret
    with pytest.raises(InvalidInput):
        rules.revise(created, {"url": "http://other.example/"}, allow_loopback=False)
    rotated = rules.rotate_secret(revised)
    assert rotated.secret != revised.secret and rotated.version == revised.version + 1


def test_the_catalogue_holds_the_webhook_and_invoice_events():
    # The other modules' names are imported into the catalogue by their constants.
    assert {rules.CREATED, rules.UPDATED, rules.DELETED} <= EVENT_TYPES
    assert {"invoice.financed", "invoice.repaid", "invoice.payment_received", "invoice.signed"} <= EVENT_TYPES
    assert "invoice.draft" not in EVENT_TYPES


def test_the_readme_event_table_lists_exactly_the_catalogue():
    text = (ROOT / "README.md").read_text()
    table = text.split("\n## Events\n", 1)[1].split("\n### ", 1)[0]
    documented = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            documented |= set(re.findall(r"`([^`]+)`", line.split("|")[1]))
    assert documented == set(EVENT_TYPES)


# ------------------------------------------------------------------------------------ signing


keys = st.binary(min_size=24, max_size=64)
msg_ids = st.text(min_size=1, max_size=60).filter(lambda text: "." not in text)
bodies = st.text(max_size=300).map(str.encode)
timestamps = st.integers(min_value=0, max_value=2**33)


def whsec(key: bytes) -> str:
    return "whsec_" + base64.b64encode(key).decode()


@given(key=keys, msg_id=msg_ids, timestamp=timestamps, body=bodies)
def test_each_signature_is_the_one_the_standard_webhooks_library_makes(key, msg_id, timestamp, body):
    secret = whsec(key)
    moment = datetime.fromtimestamp(timestamp, UTC)
    assert rules.signature(secret, msg_id, timestamp, body) == Webhook(secret).sign(
        msg_id, moment, body.decode()
    )
    # and, written out, v1 + base64 HMAC-SHA256 over "<id>.<timestamp>.<body>" with the decoded key
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    assert rules.signature(secret, msg_id, timestamp, body) == "v1," + base64.b64encode(mac).decode()


def test_the_standard_webhooks_published_test_vector_is_reproduced_and_verified_by_the_fallback():
    # The example the Standard Webhooks specification publishes (secret, id, timestamp, body, signature).
    secret, msg_id, timestamp = (
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
    )
    body, published = b'{"test": 2432232314}', "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert rules.is_standard_secret(secret), "its 24-byte key is the smallest the specification allows"
    assert rules.signature(secret, msg_id, timestamp, body) == published
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": published}
    ages_ago = int(time.time()) - timestamp + 60
    assert readme_verify()(secret, headers, body, tolerance=ages_ago)
    assert not readme_verify()(secret, headers, body), "five years old: a replay"


def test_signed_headers_are_standard_webhooks_and_both_readme_snippets_verify_them():
    secret, body, now = rules.new_secret().get_secret_value(), b'{"id":"evt_1"}', int(time.time())
    headers = rules.signed_headers([secret], "evt_1:whsub_1", now, body)
    assert headers == {
        "webhook-id": "evt_1:whsub_1",
        "webhook-timestamp": str(now),
        "webhook-signature": rules.signature(secret, "evt_1:whsub_1", now, body),
    }
    receive, verify = readme_receive(), readme_verify()
    assert library_refusal(secret, headers, body) is None
    assert receive(secret, headers, body) == {"id": "evt_1"} and verify(secret, headers, body)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("wrong secret", "No matching signature"),
        ("changed body", "No matching signature"),
        ("changed id", "No matching signature"),
        ("stale timestamp", "too old"),
        ("future timestamp", "too new"),
    ],
)
def test_the_library_and_the_readme_fallback_refuse_what_was_not_signed_now_with_the_secret(change, reason):
    secret, body, now = rules.new_secret().get_secret_value(), b'{"id":"evt_1"}', int(time.time())
    at = {"stale timestamp": now - 600, "future timestamp": now + 600}.get(change, now)
    headers = rules.signed_headers([secret], "evt_1:whsub_1", at, body)
    if change == "wrong secret":
        secret = rules.new_secret().get_secret_value()
    if change == "changed body":
        body = b'{"id":"evt_2"}'
    if change == "changed id":
        headers["webhook-id"] = "evt_2:whsub_1"
    assert reason in library_refusal(secret, headers, body)
    assert not readme_verify()(secret, headers, body)


@given(
    signers=st.lists(keys, min_size=1, max_size=2),
    checker=keys,
    check_with_signer=st.booleans(),
    body=bodies,
    tampered=st.booleans(),
    age=st.sampled_from([0, 60, 240, 360, 3600, -60, -360]),
)
def test_the_readme_fallback_agrees_with_the_library(
    signers, checker, check_with_signer, body, tampered, age
):
    now = int(time.time())
    secrets_used = [whsec(key) for key in signers]
    headers = rules.signed_headers(secrets_used, "evt_1:whsub_1", now - age, body)
    secret = secrets_used[-1] if check_with_signer else whsec(checker)
    received = body + b"!" if tampered else body
    library_accepts = library_refusal(secret, headers, received) is None
    assert library_accepts == (secret in secrets_used and not tampered and abs(age) < 300)
    assert readme_verify()(secret, headers, received) == library_accepts


def test_while_a_rotation_overlaps_both_secrets_sign_and_afterwards_only_the_new_one():
    clock.set_clock(lambda: datetime(2026, 1, 1, 12, tzinfo=UTC))
    try:
        created = subscription()
        rotated = rules.rotate_secret(created)
        again = rules.rotate_secret(rotated)
    finally:
        clock.reset_clock()
    old, new = created.secret.get_secret_value(), rotated.secret.get_secret_value()
    assert new != old and rotated.previous_secret.get_secret_value() == old
    ends = datetime(2026, 1, 2, 12, tzinfo=UTC)
    assert (
        rotated.previous_secret_expires == ends == datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(hours=24)
    )

    def signing(subscription, at):
        return [secret.get_secret_value() for secret in rules.signing_secrets(subscription, at)]

    assert signing(created, ends) == [old]
    assert signing(rotated, ends - timedelta(seconds=1)) == [new, old]
    assert signing(rotated, ends) == [new]
    assert signing(again, ends - timedelta(hours=1)) == [again.secret.get_secret_value(), new]
    body, now = b"{}", int(time.time())
    headers = rules.signed_headers(signing(rotated, ends - timedelta(hours=1)), "m", now, body)
    assert headers["webhook-signature"].count("v1,") == 2 and " " in headers["webhook-signature"]
    assert library_refusal(new, headers, body) is None and library_refusal(old, headers, body) is None
    assert readme_verify()(new, headers, body) and readme_verify()(old, headers, body)


def legacy_secret() -> str:
    """A secret as the platform made them before it followed Standard Webhooks."""
    return "whsec_" + secrets.token_urlsafe(32)


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=43, max_size=43))
def test_a_secret_of_the_old_format_is_never_mistaken_for_a_standard_one(tail):
    assert not rules.is_standard_secret("whsec_" + tail)


def test_an_old_format_secret_converts_to_the_standard_format_with_the_same_hmac_key():
    legacy = legacy_secret()
    converted = rules.standard_secret(legacy)
    assert rules.is_standard_secret(converted) and rules.signing_key(converted) == legacy.encode()
    assert rules.standard_secret(converted) == converted, "a standard secret is left as it is"
    body, now = b'{"id":"evt_1"}', int(time.time())
    headers = rules.signed_headers([converted], "evt_1:whsub_1", now, body)
    # the key the old signatures used, the old secret's own bytes, verifies the new ones
    assert library_refusal(legacy.encode(), headers, body) is None
    assert library_refusal(converted, headers, body) is None and readme_verify()(converted, headers, body)


def test_a_subscription_holds_only_standard_secrets():
    created = subscription()
    for bad in (legacy_secret(), "whsec_" + base64.b64encode(b"short").decode(), "sk_" + "A" * 44):
        with pytest.raises(ValidationError):
            created.model_validate({**created.model_dump(), "secret": bad})
        with pytest.raises(ValueError, match="Standard Webhooks"):
            rules.signing_key(bad)


# ------------------------------------------------------------------------------------ retries


def test_the_backoff_grows_by_the_factor_caps_at_twelve_hours_and_ends_at_the_max_age():
    schedule = RetrySchedule(first_delay_seconds=30, factor=2, max_age_seconds=3 * 24 * 3600)
    assert [schedule.delay_after(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert schedule.delay_after(40) == 12 * 3600
    assert schedule.next_delay(1, age_seconds=0) == 30
    assert schedule.next_delay(20, age_seconds=3 * 24 * 3600 - 100) is None
    # With the defaults, a receiver that never answers is tried about 16 times over the three days.
    age, failures = 0.0, 0
    while (delay := schedule.next_delay(failures + 1, age)) is not None:
        failures += 1
        age += delay
    assert 14 <= failures + 1 <= 18 and age <= 3 * 24 * 3600


def _attempt(status_code=None, error=None):
    return Attempt(attempted_at=datetime.now(UTC), status_code=status_code, latency_ms=12, error=error)


def test_attempts_are_recorded_and_decide_the_delivery_status():
    schedule = RetrySchedule(first_delay_seconds=5, factor=2, max_age_seconds=60)
    delivery = new_delivery("acme", "whsub_1", "evt_1", "invoice.financed")
    assert delivery.id == "evt_1:whsub_1" and delivery.status is DeliveryStatus.PENDING
    failed_once, delay = after_attempt(delivery, _attempt(500), schedule, age_seconds=0)
    assert (
        delay == 5 and failed_once.status is DeliveryStatus.PENDING and failed_once.last_error == "HTTP 500"
    )
    assert failed_once.next_attempt_at - failed_once.attempts[0].attempted_at == timedelta(seconds=5)
    redirected, delay = after_attempt(failed_once, _attempt(302), schedule, age_seconds=6)
    assert delay == 10 and redirected.last_error == "HTTP 302"
    delivered, delay = after_attempt(redirected, _attempt(204), schedule, age_seconds=17)
    assert delay is None and delivered.status is DeliveryStatus.DELIVERED and len(delivered.attempts) == 3
    assert delivered.last_error is None and delivered.next_attempt_at is None
    out_of_time, delay = after_attempt(redirected, _attempt(error="timed out after 10 s"), schedule, 55)
    assert delay is None and out_of_time.status is DeliveryStatus.FAILED
    assert out_of_time.last_error == "timed out after 10 s"


@pytest.mark.parametrize(
    ("status_code", "error", "outcome"),
    [
        (204, None, AttemptOutcome.DELIVERED),
        (302, None, AttemptOutcome.REJECTED),
        (500, None, AttemptOutcome.REJECTED),
        (None, "timed out after 10 s", AttemptOutcome.TIMEOUT),
        (None, "answered after 11.2 s, over the 10 s limit", AttemptOutcome.TIMEOUT),
        (None, "refused: hooks.example resolves to a private address (10.0.0.1)", AttemptOutcome.REFUSED),
        (None, "cannot resolve nowhere.example: Name or service not known", AttemptOutcome.REFUSED),
        (None, "ConnectionRefusedError: [Errno 111] Connection refused", AttemptOutcome.UNREACHABLE),
    ],
)
def test_an_attempt_stored_before_outcomes_were_recorded_reads_with_the_outcome_it_had(
    status_code, error, outcome
):
    stored = {"attempted_at": "2026-01-01T00:00:00Z", "status_code": status_code, "latency_ms": 3}
    attempt = Attempt.model_validate({**stored, "error": error})
    assert attempt.outcome is outcome and attempt.succeeded is (outcome is AttemptOutcome.DELIVERED)


def test_a_timeout_is_a_failed_attempt_scheduled_for_its_retry():
    schedule = RetrySchedule(first_delay_seconds=5, factor=2, max_age_seconds=60)
    delivery = new_delivery("acme", "whsub_1", "evt_1", "invoice.financed")
    timeout = Attempt(
        attempted_at=datetime.now(UTC),
        latency_ms=10_000,
        error="no complete answer within the 10 s deadline",
        outcome=AttemptOutcome.TIMEOUT,
    )
    revised, delay = after_attempt(delivery, timeout, schedule, age_seconds=10)
    assert delay == 5 and revised.status is DeliveryStatus.PENDING and revised.attempts == [timeout]


def test_a_sealed_secret_rotates_and_signs_as_stored_and_is_never_shown():
    sealed = rules.SealedSecret(envelope="kms1.opaque")
    read_back = subscription().model_copy(update={"secret": sealed})
    rotated = rules.rotate_secret(read_back)
    assert rotated.previous_secret == sealed and rules.is_standard_secret(rotated.secret.get_secret_value())
    assert rules.signing_secrets(rotated, rotated.updated) == [rotated.secret, sealed]
    with pytest.raises(TypeError):
        subscription_with_secret(read_back)
    assert subscription_with_secret(rotated).secret == rotated.secret.get_secret_value()
