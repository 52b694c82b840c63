"""Racing fundings and payments in one tenant over HTTP on the local stack, each request retried under its
Idempotency-Key (some retries concurrent with the original): afterwards the journal, walked by cursor,
holds every accepted request once, the trial balance is the sum of the accepted requests, and neither
the buyer limit nor the concentration limit was ever exceeded."""

import json
import random
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest

from local.token import mint
from tests.e2e.conftest import LocalStackProcess, Response
from tests.e2e.test_invoices_http import approved_invoice as http_invoice
from tests.unit.test_ledger_domain import PAYMENT_MEMOS

pytestmark = pytest.mark.e2e

AMOUNT = 1000  # major units; at the default pricing each invoice advances 900.00 and earns 22.50
ADVANCE, DISCOUNT = 90_000, 2_250
CAP = 3400  # basis points: no buyer above 34% of the tenant's outstanding advances
LIMITED = 3 * 900  # buyer A's limit (major units): three advances
REFUSALS = {"buyer_limit_exceeded", "concentration_limit_exceeded"}
# Buyers of the racing fundings: A is held by its limit; E, with 8 of the 16, cannot have all 8 funded
# (8 of at most 19 advances is 42%), so the concentration limit must refuse some.
RACING = ["A"] * 4 + ["B"] * 2 + ["C"] * 2 + ["E"] * 8
BASE = ["P", "Q", "R"]  # one advance each, funded before the limit is set


def minor(value) -> int:
    cents = Decimal(str(value)) * 100
    assert cents == cents.to_integral_value(), value
    return int(cents)


@dataclass
class Tenant:
    stack: LocalStackProcess
    name: str = field(default_factory=lambda: f"ledger-race-{uuid.uuid4().hex[:8]}")

    def __post_init__(self) -> None:
        self.auth = {"Authorization": f"Bearer {mint(self.name)}"}

    def request(self, method: str, path: str, body=None, key: str | None = None) -> Response:
        headers = {**self.auth, **({"Idempotency-Key": key} if key else {})}
        return self.stack.request(method, path, body, headers)

    def post(self, path: str, body) -> dict:
        """A setup step, under a key of its own so that it can be sent again after a 5xx (a function that
        timed out starting on a loaded machine) without being done twice."""
        replies = retried(self, path, body, f"setup-{uuid.uuid4()}")
        assert replies[-1].status in (200, 201), (path, [(r.status, r.body) for r in replies])
        return replies[-1].json()

    def safely(self, method: str, path: str, body=None) -> Response:
        """A GET or PUT, sent again after a 5xx (safe to repeat)."""
        for _ in range(3):
            reply = self.request(method, path, body)
            if reply.status < 500:
                break
        return reply

    def get(self, path: str) -> dict:
        reply = self.safely("GET", path)
        assert reply.status == 200, (path, reply.status, reply.body)
        return reply.json()


def company(tenant: Tenant, name: str) -> dict:
    contact = [{"first_name": "Ana", "last_name": name, "is_signatory": True}]
    return tenant.post(
        "/v1/companies", {"name": name, "address": {"country_code": "GB"}, "contacts": contact}
    )


def approve_limit(tenant: Tenant, buyer: dict, limit: int) -> None:
    request = tenant.post(
        "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": limit, "currency": "usd"}
    )
    tenant.post(f"/v1/buyer_limits/{request['id']}/approve", {"total_limit": limit})


def approved_invoice(tenant: Tenant, supplier: dict, buyer: dict, reference: str) -> dict:
    due = date.today() + timedelta(days=30)
    return http_invoice(
        tenant.stack,
        supplier,
        buyer,
        amount=AMOUNT,
        reference=reference,
        due=due,
        send=tenant.post,
        tenant=tenant.name,
    )


def settings_with_concentration_limit(tenant: Tenant) -> None:
    body = {
        "default_after_days": 90,
        "grace_days": 0,
        "late_fee_rate_percentage": 2400,
        "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
        "concentration_limit_percentage": CAP,
        "concentration_limit_applies_above": 0,
    }
    reply = tenant.safely("PUT", "/v1/settings", body)
    assert reply.status == 200, reply.body


TRANSIENT = {"conflict", "idempotency_key_in_use"}  # a race lost, the first request still running


def transient(reply: Response) -> bool:
    """A reply a client answers by sending the request again under its key: a 5xx, or a 409 that is not
    a decision (a lost race, or the key's first request still running on a loaded machine)."""
    return reply.status >= 500 or (reply.status == 409 and reply.json()["error"]["code"] in TRANSIENT)


def retried(
    tenant: Tenant, path: str, body: dict, key: str, replies: list[Response] | None = None
) -> list[Response]:
    """Send the request under `key` again (at least once) until its answer is not transient."""
    replies = replies or []
    for attempt in range(10):
        time.sleep(0.05 * attempt)
        replies.append(tenant.request("POST", path, body, key))
        if not transient(replies[-1]):
            break
    return replies


def sent_with_retries(tenant: Tenant, path: str, body: dict, key: str, duplicate: bool) -> list[Response]:
    """A request under `key`, a copy sent at once when `duplicate` (a client retrying before the first
    answer), then retries under the same key as a client does after a lost reply or a transient answer;
    every reply, in order."""
    with ThreadPoolExecutor(2) as pool:
        first = [pool.submit(tenant.request, "POST", path, body, key) for _ in range(2 if duplicate else 1)]
        replies = [f.result() for f in first]
    return retried(tenant, path, body, key, replies)


def outcome(replies: list[Response]) -> Response:
    """The decision a request got: its last reply (the one after any transient conflict). Every 200 under
    one key is the same reply (the first, replayed)."""
    accepted = [json.loads(r.body, parse_float=Decimal) for r in replies if r.status == 200]
    assert all(body == accepted[0] for body in accepted), "a key answered two different successes"
    last = replies[-1]
    assert not transient(last), ("still transient after 10 retries", last.status, last.body)
    return last


def journal(tenant: Tenant) -> list[dict]:
    """Every entry of the tenant, walked page by page by cursor."""
    entries, cursor = [], None
    while True:
        page = tenant.get("/v1/ledger/entries?limit=10" + (f"&cursor={cursor}" if cursor else ""))
        entries += page["data"]
        if not page["has_more"]:
            return entries
        cursor = page["next_cursor"]
        assert len(entries) < 1000


def test_racing_fundings_and_payments_write_each_entry_once_and_never_break_a_limit(stack):
    tenant = Tenant(stack)
    supplier = company(tenant, "Supplier")
    buyers = {name: company(tenant, f"Buyer {name}") for name in sorted({*RACING, *BASE})}
    for name, buyer in buyers.items():
        approve_limit(tenant, buyer, LIMITED if name == "A" else 1_000_000)
    # One at a time: each function starts once (parallel setup would start several of each).
    base = [approved_invoice(tenant, supplier, buyers[n], f"base-{n}") for n in BASE]
    racing = [approved_invoice(tenant, supplier, buyers[n], f"race-{i}") for i, n in enumerate(RACING)]
    for invoice in base:  # a book of three buyers at 33.3% each, before the cap is set
        tenant.post(f"/v1/invoices/{invoice['id']}/fund", {})
    settings_with_concentration_limit(tenant)

    # When: sixteen fundings race, each under its own key, every other one sent twice at once.
    with ThreadPoolExecutor(len(racing)) as pool:
        funding_replies = list(
            pool.map(
                lambda i: sent_with_retries(
                    tenant, f"/v1/invoices/{racing[i]['id']}/fund", {}, f"fund-{uuid.uuid4()}", i % 2 == 0
                ),
                range(len(racing)),
            )
        )
    decided = [outcome(replies) for replies in funding_replies]
    funded = [invoice for invoice, reply in zip(racing, decided, strict=True) if reply.status == 200]
    refused = [reply for reply in decided if reply.status != 200]
    # Then: every refusal is a 409 naming the limit it would break, and both limits refused some.
    assert {(r.status, r.json()["error"]["code"]) for r in refused} <= {(409, code) for code in REFUSALS}, [
        (r.status, r.body) for r in refused
    ]
    funded_buyers = Counter(i["buyer"] for i in funded)
    assert funded_buyers[buyers["A"]["id"]] <= 3 and funded_buyers[buyers["E"]["id"]] < 8

    # When: twenty payments race on the funded invoices (several on one invoice), each retried under its key.
    on_book = base + funded
    rng = random.Random(7)  # noqa: S311 - which invoice each payment goes to, not a secret
    payments = [
        (rng.choice(on_book), 1000 + n) for n in range(20)
    ]  # 10.00, 10.01, ...: never the whole claim
    with ThreadPoolExecutor(len(payments)) as pool:
        payment_replies = list(
            pool.map(
                lambda n: sent_with_retries(
                    tenant,
                    f"/v1/invoices/{payments[n][0]['id']}/payments",
                    {
                        "amount": payments[n][1] / 100,
                        "paid_date": date.today().isoformat(),
                        "reference": f"w{n}",
                    },
                    f"pay-{uuid.uuid4()}",
                    n % 2 == 1,
                ),
                range(len(payments)),
            )
        )
    paid = [p for p, replies in zip(payments, payment_replies, strict=True) if outcome(replies).status == 200]
    assert len(paid) == len(payments), [outcome(r).body for r in payment_replies if outcome(r).status != 200]

    # Then: the journal holds each accepted request once.
    entries = journal(tenant)
    assert len({e["id"] for e in entries}) == len(entries), "an entry listed twice"
    fundings = Counter()
    payments_seen: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        lines = entry["lines"]
        if any(line["memo"] == "advance disbursed to the supplier" for line in lines):
            fundings[entry["invoice"]] += 1
        cash_in = sum(
            minor(line["amount"])
            for line in lines
            if line["account"] == "cash" and line["memo"] in PAYMENT_MEMOS
        )
        if cash_in:
            payments_seen[entry["invoice"]].append(cash_in)
    assert fundings == Counter(i["id"] for i in on_book)
    expected_payments: dict[str, list[int]] = defaultdict(list)
    for invoice, amount in paid:
        expected_payments[invoice["id"]].append(amount)
    assert {k: sorted(v) for k, v in payments_seen.items()} == {
        k: sorted(v) for k, v in expected_payments.items()
    }
    assert len(entries) == len(on_book) + len(paid)

    # ... the trial balance is zero and its accounts are the sums of the accepted requests.
    (usd,) = tenant.get("/v1/ledger/balances")["data"]
    accounts = {a["account"]: minor(a["debit"]) - minor(a["credit"]) for a in usd["accounts"]}
    assert minor(usd["total_debit"]) == minor(usd["total_credit"]) and sum(accounts.values()) == 0
    collected = sum(amount for _, amount in paid)
    assert accounts == {
        "cash": -ADVANCE * len(on_book) + collected,
        "advances_receivable": (ADVANCE + DISCOUNT) * len(on_book) - collected,
        "fee_income": -DISCOUNT * len(on_book),
    }

    # ... and the exposure report shows neither limit exceeded.
    report = tenant.get("/v1/reports/exposure")
    drawn = {row["company"]: minor(row["drawn"]) for row in report["buyers"]}
    advanced = Counter()
    for invoice in on_book:
        advanced[invoice["buyer"]] += ADVANCE
    assert {k: v for k, v in drawn.items() if v} == dict(advanced)
    (limited,) = [row for row in report["buyers"] if row["company"] == buyers["A"]["id"]]
    assert minor(limited["drawn"]) <= minor(limited["limit"]) == LIMITED * 100
    assert minor(limited["available"]) == minor(limited["limit"]) - minor(limited["drawn"])
    total = sum(drawn.values())
    assert all(value * 10_000 <= CAP * total for value in drawn.values()), (drawn, total)
