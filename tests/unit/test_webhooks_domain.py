"""Webhook rules: which URLs and addresses may receive, which events match, signing, and the retry schedule."""

import hashlib
import hmac
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from financing.domain import webhooks as rules
from financing.domain.errors import InvalidInput
from financing.domain.event_catalogue import EVENT_TYPES
from financing.domain.webhooks import (
    Attempt,
    DeliveryStatus,
    RetrySchedule,
    address_problem,
    after_attempt,
    new_delivery,
    url_problem,
)
from tests.webhooks_support import ROOT, readme_verify


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
    assert re.fullmatch(r"whsec_[A-Za-z0-9_\-]{40,}", secret)
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


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_and_the_readme_snippet_verifies_it():
    secret, body, now = "whsec_test", b'{"id":"evt_1"}', int(time.time())
    headers = rules.signed_headers(secret, "evt_1:whsub_1", now, body)
    expected = hmac.new(secret.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers == {
        "Webhook-Id": "evt_1:whsub_1",
        "Webhook-Timestamp": str(now),
        "Webhook-Signature": f"t={now},v1={expected}",
    }
    verify = readme_verify()
    assert verify(secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    assert not verify(secret, headers, body + b" ")
    stale = rules.signed_headers(secret, "evt_1:whsub_1", now - 600, body)
    assert not verify(secret, stale, body), "a replay older than the tolerance is refused"


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
