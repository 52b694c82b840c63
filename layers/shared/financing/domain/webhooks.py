"""Signed webhooks: subscriptions, which events they receive, where they may point, how deliveries are
signed (Standard Webhooks) and when a failing delivery is retried or given up.

    subscription: url + event types (or "*") + a secret (`whsec_<base64 key>`) that signs every delivery;
                  after a rotation the previous secret also signs, for ROTATION_OVERLAP
    delivery (one per event and subscription): pending --2xx--> delivered
                                               pending --max age reached--> failed
"""

import base64
import binascii
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, SecretStr, field_validator, model_validator

from financing.clock import now
from financing.domain.errors import FieldProblem, InvalidInput, StateConflict
from financing.domain.retries import RetrySchedule
from financing.ids import new_id

CREATED = "webhook_subscription.created"
UPDATED = "webhook_subscription.updated"
DELETED = "webhook_subscription.deleted"

ID_PREFIX = "whsub"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of generated secrets, not a secret
SECRET_KEY_BYTES = 32  # Standard Webhooks asks for at least 24 random bytes
MIN_KEY_BYTES = 24
# After a rotation the previous secret keeps signing (a second signature) for this long, so receivers
# can switch secrets without refusing a delivery.
ROTATION_OVERLAP = timedelta(hours=24)
SIGNATURE_VERSION = "v1"
EVERY_EVENT = "*"
MAX_URL_LENGTH = 2048
# Documented in the README ("Webhook security"): each subscription can hold a deliverer thread for one
# attempt deadline per event, so one event of a tenant holds at most this many threads (how many invocations
# a tenant holds at once is bounded by its fair share, below).
MAX_SUBSCRIPTIONS_PER_TENANT = 20
MAX_EVENT_TYPES = 100

_LOOPBACK_NAMES = {"localhost", "localhost."}
# The cloud's instance metadata service, always refused (IPv4 and the Nitro IPv6 endpoint).
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class SealedSecret(BaseModel):
    """A secret as stored: encrypted, to be opened only where deliveries are signed. `envelope` is opaque
    here (the adapter that seals it knows its format)."""

    envelope: str


# A secret in hand (just made, or stored in plaintext before secrets were encrypted) or sealed.
# SecretStr: a subscription logged or dumped by mistake shows "**********", never the secret.
Secret = SecretStr | SealedSecret


class WebhookSubscription(BaseModel):
    id: str
    tenant_id: str
    url: str
    event_types: list[str]
    description: str | None = None
    enabled: bool = True
    secret: Secret
    # The secret replaced by the last rotation, signing too until `previous_secret_expires`.
    previous_secret: Secret | None = None
    previous_secret_expires: datetime | None = None
    created: datetime
    updated: datetime
    version: int = 1

    @field_validator("secret", "previous_secret")
    @classmethod
    def _standard(cls, value: Secret | None) -> Secret | None:
        if isinstance(value, SecretStr) and not is_standard_secret(value.get_secret_value()):
            raise ValueError("a webhook secret is whsec_ followed by the base64 of at least 24 bytes")
        return value

    def receives(self, event_type: str) -> bool:
        return self.enabled and (EVERY_EVENT in self.event_types or event_type in self.event_types)


# ------------------------------------------------------------------------------------ secrets


def new_secret() -> SecretStr:
    """`whsec_` + base64 of 32 random bytes: the Standard Webhooks secret format."""
    return SecretStr(SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_KEY_BYTES)).decode())


def _key_of(secret: str) -> bytes | None:
    if not secret.startswith(SECRET_PREFIX):
        return None
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) >= MIN_KEY_BYTES else None


def is_standard_secret(secret: str) -> bool:
    return _key_of(secret) is not None


def signing_key(secret: str) -> bytes:
    """The HMAC key a secret stands for: the bytes base64-encoded after `whsec_`."""
    key = _key_of(secret)
    if key is None:
        raise ValueError("not a Standard Webhooks secret")
    return key


def standard_secret(stored: str) -> str:
    """A stored secret in the Standard Webhooks format, keeping its HMAC key.

    Secrets issued before the platform followed Standard Webhooks are `whsec_` + url-safe text (never
    valid base64) and keyed the HMAC with their own UTF-8 bytes; the same key in the standard format is
    `whsec_` + base64 of those bytes, so converting one changes no signature's key."""
    if is_standard_secret(stored):
        return stored
    return SECRET_PREFIX + base64.b64encode(stored.encode()).decode()


# ------------------------------------------------------------------------------------ subscriptions


def _checked_event_types(event_types: list[str]) -> list[str]:
    unique = list(dict.fromkeys(event_types))
    if not unique:
        raise InvalidInput([FieldProblem("event_types", 'name at least one event type, or "*"')])
    if EVERY_EVENT in unique and len(event_types) > 1:
        raise InvalidInput([FieldProblem("event_types", '"*" already means every event; send it alone')])
    # Imported here: the catalogue collects this module's own event names.
    from financing.domain.event_catalogue import EVENT_TYPES

    unknown = [name for name in unique if name != EVERY_EVENT and name not in EVENT_TYPES]
    if unknown:
        problems = [FieldProblem("event_types", f"unknown event type '{name}'") for name in unknown]
        raise InvalidInput(problems)
    return unique


def _checked_url(url: str, allow_loopback: bool) -> str:
    if problem := url_problem(url, allow_loopback):
        raise InvalidInput([FieldProblem("url", problem)])
    return url


def subscribe(
    *,
    tenant_id: str,
    url: str,
    event_types: list[str],
    description: str | None,
    allow_loopback: bool,
) -> WebhookSubscription:
    moment = now()
    return WebhookSubscription(
        id=new_id(ID_PREFIX),
        tenant_id=tenant_id,
        url=_checked_url(url, allow_loopback),
        event_types=_checked_event_types(event_types),
        description=description,
        secret=new_secret(),
        created=moment,
        updated=moment,
    )


def limit_reached() -> StateConflict:
    """Creating one more subscription than a tenant may have (409)."""
    return StateConflict(
        f"A tenant may have at most {MAX_SUBSCRIPTIONS_PER_TENANT} webhook subscriptions; delete one first"
        " (one subscription can receive every event type).",
        code="webhook_subscription_limit_reached",
        details={"limit": MAX_SUBSCRIPTIONS_PER_TENANT},
    )


def revise(subscription: WebhookSubscription, changes: dict, allow_loopback: bool) -> WebhookSubscription:
    """A partial update of url, event types, description and enabled; the secret stays."""
    update: dict = {key: changes[key] for key in ("description", "enabled") if key in changes}
    if "url" in changes:
        update["url"] = _checked_url(changes["url"], allow_loopback)
    if "event_types" in changes:
        update["event_types"] = _checked_event_types(changes["event_types"])
    return subscription.model_copy(update={**update, "updated": now(), "version": subscription.version + 1})


def rotate_secret(subscription: WebhookSubscription) -> WebhookSubscription:
    """A new secret signs every delivery from now on; the one it replaces signs them too (a second
    signature) for ROTATION_OVERLAP, then no more. A secret replaced earlier stops signing at once."""
    moment = now()
    return subscription.model_copy(
        update={
            "secret": new_secret(),
            "previous_secret": subscription.secret,
            "previous_secret_expires": moment + ROTATION_OVERLAP,
            "updated": moment,
            "version": subscription.version + 1,
        }
    )


# ------------------------------------------------------------------------------------ where a webhook may go


def _is_loopback_name(host: str) -> bool:
    host = host.lower()
    return host in _LOOPBACK_NAMES or host.endswith(".localhost")


_HOST_NAME = re.compile(r"[A-Za-z0-9.-]+")


def url_problem(url: str, allow_loopback: bool) -> str | None:
    """Why `url` cannot receive webhooks, or None. Deployed only https; where loopback is allowed (the
    local stack) also http://localhost and http://127.0.0.1. Names are resolved and checked again at
    delivery time (`address_problem`)."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    # urlsplit drops tabs and newlines and keeps what a host cannot hold: refused before it reads the URL.
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "must be an absolute URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an absolute https URL"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials"
    if parts.fragment:
        return "must not have a fragment"
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is None and not _HOST_NAME.fullmatch(host):
        return "must name its host with letters, digits, dots and hyphens"
    loopback = _is_loopback_name(host) or (literal is not None and literal.is_loopback)
    if loopback and not allow_loopback:
        return "must not point at this machine (loopback)"
    if parts.scheme != "https" and not loopback:
        return "must use https"
    if literal is not None and (problem := address_problem(str(literal), allow_loopback)):
        return problem
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), which is the one to judge."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_problem(address: str, allow_loopback: bool) -> str | None:
    """Why a resolved address must not be connected to, or None: metadata, private, link-local, loopback
    (unless allowed), and anything else that is not a public unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return f"resolves to an invalid address {address!r}"
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)) is not None:
        ip = embedded
    if ip in METADATA_ADDRESSES:
        return "resolves to the instance metadata address"
    if ip.is_loopback:
        return None if allow_loopback else "resolves to a loopback address"
    if ip.is_unspecified or ip.is_multicast:
        return "resolves to an address that is not public"
    if ip.is_link_local:
        return "resolves to a link-local address"
    if ip.is_private:
        return "resolves to a private address"
    if ip.is_reserved or not ip.is_global:
        return "resolves to an address that is not public"
    return None


# ------------------------------------------------------------------------------------ signing


def webhook_id(event_id: str, subscription_id: str) -> str:
    """The `webhook-id` header and the delivery's id: one per event and subscription, the same on every
    retry (receivers deduplicate on it)."""
    return f"{event_id}:{subscription_id}"


def signing_secrets(subscription: WebhookSubscription, at: datetime) -> list[Secret]:
    """The secrets a delivery attempted `at` is signed with: the current one, then the previous one while
    the rotation overlap lasts (as stored: the caller opens sealed ones)."""
    found = [subscription.secret]
    expires = subscription.previous_secret_expires
    if subscription.previous_secret is not None and expires is not None and at < expires:
        found.append(subscription.previous_secret)
    return found


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "<msg_id>.<timestamp>.<body>">`, keyed by the secret's decoded key."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signed_headers(secret_values: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers; one signature per secret, space-separated, the current one first."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, msg_id, timestamp, body) for secret in secret_values),
    }


# ------------------------------------------------------------------------------------ deliveries


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class AttemptOutcome(StrEnum):
    """What one attempt came to."""

    DELIVERED = "delivered"  # a 2xx answer within the deadline
    REJECTED = "rejected"  # any other answer within the deadline (3xx included: redirects are not followed)
    TIMEOUT = "timeout"  # no complete answer within the attempt's deadline
    UNREACHABLE = "unreachable"  # no connection, or the connection broke (reset, TLS failure, bad HTTP)
    REFUSED = (
        "refused"  # not connected to: the name does not resolve, or to an address webhooks may not reach
    )
    # not attempted: the subscription's circuit is open after consecutive timeouts (a failed attempt for the
    # retry schedule)
    CIRCUIT_OPEN = "deferred_open_circuit"


def _outcome_of(status_code: int | None, error: str | None) -> AttemptOutcome:
    # Attempts recorded before outcomes were: what their status code and error say.
    if status_code is not None:
        return AttemptOutcome.DELIVERED if 200 <= status_code < 300 else AttemptOutcome.REJECTED
    error = error or ""
    if error.startswith(("timed out", "answered after")):
        return AttemptOutcome.TIMEOUT
    if error.startswith(("refused", "cannot resolve")):
        return AttemptOutcome.REFUSED
    return AttemptOutcome.UNREACHABLE


class Attempt(BaseModel):
    attempted_at: datetime
    status_code: int | None = None
    latency_ms: int
    error: str | None = None
    outcome: AttemptOutcome

    @model_validator(mode="before")
    @classmethod
    def _with_outcome(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("outcome") is None:
            return {**values, "outcome": _outcome_of(values.get("status_code"), values.get("error"))}
        return values

    @property
    def succeeded(self) -> bool:
        return self.outcome is AttemptOutcome.DELIVERED


class WebhookDelivery(BaseModel):
    id: str
    tenant_id: str
    subscription_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[Attempt] = []
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    created: datetime
    updated: datetime


def new_delivery(tenant_id: str, subscription_id: str, event_id: str, event_type: str) -> WebhookDelivery:
    moment = now()
    return WebhookDelivery(
        id=webhook_id(event_id, subscription_id),
        tenant_id=tenant_id,
        subscription_id=subscription_id,
        event_id=event_id,
        event_type=event_type,
        created=moment,
        updated=moment,
    )


def after_attempt(
    delivery: WebhookDelivery, attempt: Attempt, schedule: RetrySchedule, age_seconds: float
) -> tuple[WebhookDelivery, int | None]:
    """The delivery with `attempt` recorded, and how long to wait before the next one (None: no retry)."""
    attempts = [*delivery.attempts, attempt]
    delay = None
    if attempt.succeeded:
        status = DeliveryStatus.DELIVERED
    else:
        failures = sum(1 for a in attempts if not a.succeeded)
        delay = schedule.next_delay(failures, age_seconds)
        status = DeliveryStatus.FAILED if delay is None else DeliveryStatus.PENDING
    next_at = None
    if delay is not None:
        next_at = datetime.fromtimestamp(
            attempt.attempted_at.timestamp() + delay, attempt.attempted_at.tzinfo
        )
    error = None if attempt.succeeded else (attempt.error or f"HTTP {attempt.status_code}")
    revised = delivery.model_copy(
        update={
            "attempts": attempts,
            "status": status,
            "next_attempt_at": next_at,
            "last_error": error,
            "updated": now(),
        }
    )
    return revised, delay


def abandoned(delivery: WebhookDelivery, reason: str) -> WebhookDelivery:
    """A delivery that will not be attempted again (its subscription was disabled or deleted)."""
    return delivery.model_copy(
        update={
            "status": DeliveryStatus.FAILED,
            "next_attempt_at": None,
            "last_error": reason,
            "updated": now(),
        }
    )


# ------------------------------------------------------------------------------------ fair shares of the deliverer

# Documented in the README ("Webhook security"): a tenant's deliveries run in at most `limit` deliverer
# invocations at a time (WebhookTenantInvocations); a delivery of a tenant at its share goes back to the
# queue, to come again after a jittered wait within these bounds (a share frees within one attempt deadline).
REQUEUE_DELAY_SECONDS = (1, 5)
T = TypeVar("T")


@dataclass(frozen=True)
class Admission(Generic[T]):
    """How a batch is shared out: what is delivered now, and the deliveries of tenants already holding their
    share of the deliverer, which go back to the queue (nothing is dropped, nothing is attempted twice)."""

    admitted: list[T]
    requeued: list[T]


def share_out(batch: Sequence[tuple[str | None, T]], admits: Callable[[str], bool]) -> Admission[T]:
    """Split a batch of (tenant, message) by tenant: `admits(tenant)` is asked once per tenant, in the order
    tenants first appear; all of a tenant's messages go the same way. A message whose tenant is unknown
    (None: it could not be read) is admitted, to fail where it is handled."""
    decided: dict[str, bool] = {}
    admitted: list[T] = []
    requeued: list[T] = []
    for tenant_id, message in batch:
        if tenant_id is not None and tenant_id not in decided:
            decided[tenant_id] = admits(tenant_id)
        (admitted if tenant_id is None or decided[tenant_id] else requeued).append(message)
    return Admission(admitted, requeued)


def requeue_delay(fraction: float) -> int:
    """Seconds a requeued delivery waits, for `fraction` in [0, 1) drawn at random: spread over
    REQUEUE_DELAY_SECONDS so that requeued deliveries do not all come back at once."""
    low, high = REQUEUE_DELAY_SECONDS
    return low + min(high - low, int(fraction * (high - low + 1)))


def slot_order(limit: int, start: int) -> list[int]:
    """The order in which an invocation tries a tenant's `limit` share slots: every slot once, from `start`
    (drawn at random, so that racing invocations do not all contend for slot 0)."""
    return [(start + n) % limit for n in range(limit)]


# ------------------------------------------------------------------------------------ the circuit breaker

# Documented in the README ("Webhook security"): after this many consecutive timeouts a subscription's
# circuit opens, and its deliveries are deferred without an attempt (each deferral recorded, a failed attempt
# for the retry schedule) until it half-opens: CIRCUIT_OPEN_SECONDS after the last timeout, doubling with each
# further one up to CIRCUIT_MAX_OPEN_SECONDS. A timeout holds a deliverer for the whole attempt deadline;
# answers that come in time, failing or not, cost little and close the circuit.
CIRCUIT_TIMEOUTS = 3
CIRCUIT_OPEN_SECONDS = 60
CIRCUIT_MAX_OPEN_SECONDS = 3600


@dataclass(frozen=True)
class Circuit:
    """A subscription's breaker for the URL it was tripped by: its consecutive timeouts, and until when (unix
    seconds) it stays open."""

    url: str | None = None
    timeouts: int = 0
    open_until: float | None = None

    def admits(self, at: float) -> bool:
        """Whether a delivery at `at` is attempted: closed, or half-open (its time is up: the next attempts
        are probes, as many as the tenant's fair share lets run at once)."""
        return self.open_until is None or at >= self.open_until


def circuit_for(circuit: Circuit, url: str) -> Circuit:
    """The circuit as it stands for a subscription now pointing at `url`: a new URL starts closed (the tenant
    fixed its receiver by pointing elsewhere)."""
    return circuit if circuit.url == url else Circuit(url)


def open_for(timeouts: int) -> int:
    """How long a circuit stays open after its `timeouts`-th consecutive timeout (at least CIRCUIT_TIMEOUTS)."""
    doublings = min(timeouts - CIRCUIT_TIMEOUTS, 16)
    return min(CIRCUIT_MAX_OPEN_SECONDS, CIRCUIT_OPEN_SECONDS * 2**doublings)


def circuit_after(circuit: Circuit, attempt: Attempt) -> Circuit | None:
    """The circuit after `attempt` (None: unchanged, nothing to write). A timeout counts, and from the
    CIRCUIT_TIMEOUTS-th on opens the circuit; any other answer or failure closes it; a deferral changes
    nothing."""
    if attempt.outcome is AttemptOutcome.CIRCUIT_OPEN:
        return None
    closed = Circuit(circuit.url)
    if attempt.outcome is not AttemptOutcome.TIMEOUT:
        return closed if circuit != closed else None
    timeouts = circuit.timeouts + 1
    if timeouts < CIRCUIT_TIMEOUTS:
        return Circuit(circuit.url, timeouts)
    return Circuit(circuit.url, timeouts, attempt.attempted_at.timestamp() + open_for(timeouts))


def deferred(circuit: Circuit, at: datetime) -> Attempt:
    """The attempt recorded for a delivery deferred by an open circuit: nothing was sent."""
    until = datetime.fromtimestamp(circuit.open_until or at.timestamp(), at.tzinfo)
    return Attempt(
        attempted_at=at,
        latency_ms=0,
        error=f"circuit open until {until.isoformat()} after {circuit.timeouts} consecutive timeouts",
        outcome=AttemptOutcome.CIRCUIT_OPEN,
    )
