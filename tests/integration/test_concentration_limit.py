"""The concentration limit through the handlers on moto: one buyer's share of the tenant's outstanding
advances is capped; a funding above it is 409 and writes nothing, even when requests race."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from financing import clock
from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable, from_item, tenant_key
from financing.config import settings
from financing.services import invoices as invoice_service
from tests.integration.harness import call
from tests.integration.invoice_fixtures import (
    act,
    approve_limit,
    company,
    get,
    signed_invoice,
    uploaded_document,
)

pytestmark = pytest.mark.usefixtures("aws")
real_read_guard = invoice_service.read_guard

TERMS = {
    "default_after_days": 90,
    "grace_days": 0,
    "late_fee_rate_percentage": 2400,
    "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
}
AMOUNT = 1000  # major units: each invoice advances 900.00 (90_000 minor units)
ADVANCE = 90_000


def set_limit(cap, applies_above=0):
    body = {
        **TERMS,
        "concentration_limit_percentage": cap,
        "concentration_limit_applies_above": applies_above,
    }
    reply = call("put_settings", "PUT", "/v1/settings", body=body, scope="lender:operate")
    assert reply.status == 200, reply.json
    return reply


class Book:
    """A tenant's supplier and buyers (each with a large approved limit), and their invoices."""

    def __init__(self, *buyers: str) -> None:
        self.supplier, self.document = company("Supplier"), uploaded_document()
        self.buyers = {name: company(name) for name in buyers}
        for buyer in self.buyers.values():
            approve_limit(buyer["id"], 100_000_000)
        self.made = 0

    def invoice(self, buyer: str) -> dict:
        self.made += 1
        today = clock.today()
        return signed_invoice(
            self.supplier,
            self.buyers[buyer],
            self.document,
            amount=AMOUNT,
            client_reference_id=f"conc-{self.made}",
            issue_date=(today - timedelta(days=5)).isoformat(),
            due_date=(today + timedelta(days=30)).isoformat(),
        )

    def funded(self, buyer: str) -> dict:
        invoice = self.invoice(buyer)
        assert fund(invoice).status == 200
        return invoice


def fund(invoice):
    return act("fund_invoice", "fund", invoice["id"], {})


def repay(invoice):
    body = {"amount": AMOUNT, "paid_date": clock.today().isoformat(), "reference": f"wire-{invoice['id']}"}
    return act("record_invoice_payment", "payments", invoice["id"], body)


def items(collection):
    response = client("dynamodb").query(
        TableName=settings().table_name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": tenant_key("acme", collection)}},
        ConsistentRead=True,
    )
    return [from_item(item) for item in response["Items"]]


def exposures():
    return {item["sk"]: int(item["outstanding"]) for item in items("EXPOSURE")}


def portfolio():
    """The tenant's portfolio items in dollars (every epoch has one per currency)."""
    return {
        item["sk"]: int(item["outstanding"]) for item in items("PORTFOLIO") if item["sk"].startswith("usd#")
    }


def test_a_funding_above_the_cap_is_409_naming_the_share_and_writes_nothing():
    book = Book("Alpha", "Beta")
    set_limit(5000, applies_above=ADVANCE)  # the first advance fits the ramp-up
    first = book.funded("Alpha")
    second = book.invoice("Alpha")
    before = {"exposures": exposures(), "portfolio": portfolio(), "outbox": len(items("OUTBOX"))}

    reply = fund(second)

    assert reply.status == 409, reply.json
    error = reply.json["error"]
    assert error["code"] == "concentration_limit_exceeded" and error["correlation_id"]
    assert error["message"] == (
        "Funding this invoice would make the buyer 100.00% of the tenant's outstanding advances in USD, "
        "above the concentration limit of 50.00%."
    )
    assert {d["field"]: d["message"] for d in error["details"]} == {
        "buyer_share_percentage": "10000",
        "concentration_limit_percentage": "5000",
    }
    assert get(second["id"]).json["status"] == "approved"
    assert {"exposures": exposures(), "portfolio": portfolio(), "outbox": len(items("OUTBOX"))} == before
    assert get(first["id"]).json["status"] == "financed"
    book.funded("Beta")  # Beta at 50%: exactly the cap
    assert fund(second).json["error"]["code"] == "concentration_limit_exceeded"  # Alpha would be 66.67%


def test_without_a_limit_fundings_keep_no_shared_item_and_switching_it_on_counts_the_book():
    book = Book("Alpha", "Beta")
    alpha, beta = book.funded("Alpha"), book.funded("Beta")
    assert items("PORTFOLIO") == []
    assert all("concentration_since" not in item for item in items("EXPOSURE"))

    version = set_limit(5000)
    since = 1  # the first save of the settings switched the limit on
    assert portfolio() == {f"usd#{since}": 2 * ADVANCE}
    assert {item["concentration_since"] for item in items("EXPOSURE")} == {since}
    assert version.json["concentration_limit_percentage"] == 5000

    third = book.invoice("Alpha")
    assert fund(third).json["error"]["code"] == "concentration_limit_exceeded"  # 66.67%
    assert repay(beta).json["status"] == "repaid"
    assert portfolio() == {f"usd#{since}": ADVANCE}  # the release counted
    assert fund(book.invoice("Beta")).status == 200  # Beta back to 50%
    assert portfolio() == {f"usd#{since}": 2 * ADVANCE}
    assert sum(exposures().values()) == 2 * ADVANCE and alpha


def _keys(writes):
    return {
        (key["pk"]["S"], key["sk"]["S"])
        for write in writes
        for operation in write.values()
        for key in [operation.get("Key") or {"pk": operation["Item"]["pk"], "sk": operation["Item"]["sk"]}]
    }


def test_without_a_limit_two_buyers_fundings_share_no_item(monkeypatch):
    """DynamoDB conflicts concurrent transactions on one item: a tenant without a limit must keep
    fundings of different buyers on disjoint items (with a limit, the portfolio item is shared)."""
    book = Book("Alpha", "Beta")
    invoices = [book.invoice("Alpha"), book.invoice("Beta")]
    real_commit, touched = EntityTable.commit, []

    def recording_commit(self, writes, events):
        touched.append(_keys(writes))
        return real_commit(self, writes, events)

    monkeypatch.setattr(EntityTable, "commit", recording_commit)
    assert [fund(invoice).status for invoice in invoices] == [200, 200]
    assert touched[0] & touched[1] == set()
    set_limit(10_000)
    touched.clear()
    assert [fund(book.invoice(name)).status for name in ("Alpha", "Beta")] == [200, 200]
    fundings = [keys for keys in touched if any(pk.endswith("#EXPOSURE") for pk, _ in keys)]
    assert fundings[0] & fundings[1] == {("acme#PORTFOLIO", "usd#1")}


def test_switching_the_limit_off_and_on_again_counts_the_book_afresh():
    book = Book("Alpha", "Beta")
    set_limit(5000, applies_above=10 * ADVANCE)
    book.funded("Alpha")
    set_limit(None)
    book.funded("Alpha")  # not counted in the old epoch's portfolio: no limit, no shared item
    assert portfolio() == {"usd#1": ADVANCE}
    set_limit(6000)
    assert portfolio() == {"usd#1": ADVANCE, "usd#3": 2 * ADVANCE}
    book.funded("Beta")  # Beta 33%
    assert fund(book.invoice("Alpha")).json["error"]["code"] == "concentration_limit_exceeded"  # 75%


def test_a_repayment_between_a_fundings_read_and_its_commit_cannot_let_the_cap_be_exceeded(monkeypatch):
    """The funding reads a total that a concurrent repayment then lowers: checked against the stale total
    it would fit (90/270 = 33% of a 40% cap), committed it would be 90/180 = 50%. It must be decided
    again on what is left, and refused."""
    book = Book("Alpha", "Carol")
    carol = [book.funded("Carol"), book.funded("Carol")]
    set_limit(4000)
    alpha = book.invoice("Alpha")
    repaid = []

    def read_then_repay(*read):
        guard = real_read_guard(*read)
        if not repaid:  # the funding's read; the repayment's own read comes next
            repaid.append(None)
            repaid[0] = repay(carol[0])
        return guard

    monkeypatch.setattr(invoice_service, "read_guard", read_then_repay)
    reply = fund(alpha)
    assert repaid[0].json["status"] == "repaid"
    assert reply.status == 409 and reply.json["error"]["code"] == "concentration_limit_exceeded"
    assert reply.json["error"]["message"].startswith("Funding this invoice would make the buyer 50.00%")
    assert get(alpha["id"]).json["status"] == "approved"
    assert portfolio() == {"usd#1": ADVANCE} == {"usd#1": sum(exposures().values())}


def test_a_funding_decided_before_the_limit_was_switched_on_cannot_commit_behind_it(monkeypatch):
    """The funding reads the settings without a limit; the lender switches it on (the book is counted);
    the funding then commits: it must not change a counted exposure behind the portfolio (that would
    leave the total short), so it is decided again, under the limit, and refused (Alpha would be 100%
    of a book above the ramp-up)."""
    book = Book("Alpha", "Carol")
    book.funded("Alpha")
    alpha = book.invoice("Alpha")
    switched = []

    def read_then_switch(*read):
        guard = real_read_guard(*read)
        if not switched:
            switched.append(set_limit(5000))
        return guard

    monkeypatch.setattr(invoice_service, "read_guard", read_then_switch)
    reply = fund(alpha)
    assert reply.status == 409 and reply.json["error"]["code"] == "concentration_limit_exceeded"
    assert get(alpha["id"]).json["status"] == "approved"
    assert portfolio() == {"usd#1": ADVANCE} == {"usd#1": sum(exposures().values())}


def test_a_repayment_decided_before_the_limit_was_switched_on_is_counted_in_the_portfolio(monkeypatch):
    book = Book("Alpha", "Carol")
    alpha, _ = book.funded("Alpha"), book.funded("Carol")
    switched = []

    def read_then_switch(*read):
        guard = real_read_guard(*read)
        if not switched:
            switched.append(set_limit(5000))
        return guard

    monkeypatch.setattr(invoice_service, "read_guard", read_then_switch)
    assert repay(alpha).json["status"] == "repaid"
    assert portfolio() == {"usd#1": ADVANCE} == {"usd#1": sum(exposures().values())}


def test_a_funding_decided_under_a_cap_the_lender_then_lowers_is_decided_again_under_the_new_one(monkeypatch):
    """Read at a 50% cap, Beta would be exactly 50%; the lender lowers the cap to 40% before the commit,
    which holds the terms it was decided with, as a funding holds the buyer's total_limit."""
    book = Book("Alpha", "Beta")
    set_limit(5000, applies_above=ADVANCE)
    book.funded("Alpha")
    beta = book.invoice("Beta")
    lowered = []

    def read_then_lower(*read):
        guard = real_read_guard(*read)
        if not lowered:
            lowered.append(set_limit(4000, applies_above=ADVANCE))
        return guard

    monkeypatch.setattr(invoice_service, "read_guard", read_then_lower)
    reply = fund(beta)
    assert reply.status == 409 and reply.json["error"]["code"] == "concentration_limit_exceeded"
    assert "above the concentration limit of 40.00%" in reply.json["error"]["message"]
    assert get(beta["id"]).json["status"] == "approved"
    assert {i["sk"]: (i["cap"], i["applies_above"]) for i in items("PORTFOLIO")} == {
        f"{currency}#1": (4000, ADVANCE) for currency in ("brl", "eur", "gbp", "usd")
    }


WAIT_SECONDS = 600


def _delta(write):
    return int(write.get("Update", {}).get("ExpressionAttributeValues", {}).get(":delta", {}).get("N", 0))


@pytest.mark.parametrize(("cap", "repayment_first"), [(4000, False), (3000, True)])
def test_racing_fundings_of_two_buyers_and_a_repayment_never_commit_a_share_above_the_cap(
    monkeypatch, cap, repayment_first
):
    """Six fundings (three per buyer) and a repayment all read before any commits; commits are
    serialised (moto's backend is not thread-safe; DynamoDB is) and after every committed funding the
    funded buyer's share of the tenant's real outstanding (the sum of the exposures) is within the cap.
    With the repayment committed first, every funding read a total that is no longer there: each would
    fit that total (25% of 30%) but not what is left (33%). Every refusal is a clean 409; the portfolio
    ends equal to the exposures."""
    book = Book("Alpha", "Beta", "Carol")
    carol = [book.funded("Carol") for _ in range(3)]
    set_limit(cap)
    racing = [book.invoice(name) for name in ("Alpha", "Beta") * 3]
    # Generous waits: they only bound a broken test; on a loaded machine seven threads importing and
    # reading can take well over 30 s before the last one reaches the barrier.
    everyone_read = threading.Barrier(len(racing) + 1, timeout=WAIT_SECONDS)
    first_read = threading.local()
    released = threading.Event()
    real_commit = EntityTable.commit
    one_at_a_time = threading.Lock()
    funded_shares = []

    def read_then_wait(*read):
        guard = real_read_guard(*read)
        if not getattr(first_read, "done", False):
            first_read.done = True
            everyone_read.wait()
        return guard

    def checked_commit(self, writes, events):
        funding = [w["Update"]["Key"]["sk"]["S"] for w in writes if _delta(w) > 0]
        if funding and repayment_first:
            assert released.wait(timeout=WAIT_SECONDS), "the repayment never committed"
        with one_at_a_time:
            real_commit(self, writes, events)
            held = exposures()
            funded_shares.extend((held[buyer], sum(held.values())) for buyer in funding)
        if any(_delta(w) < 0 for w in writes):
            released.set()

    monkeypatch.setattr(invoice_service, "read_guard", read_then_wait)
    monkeypatch.setattr(EntityTable, "commit", checked_commit)

    def party(request, invoice):
        """A racer's request; one that ends without reaching the barrier (refused before its read) breaks
        it at once, so the others fail now rather than after WAIT_SECONDS (a finished racer passed it)."""
        try:
            return request(invoice)
        finally:
            everyone_read.abort()

    with ThreadPoolExecutor(len(racing) + 1) as pool:  # one thread each: all wait at the barrier
        fundings = [pool.submit(party, fund, invoice) for invoice in racing]
        repayment = pool.submit(party, repay, carol[0])
        replies, repaid = [f.result() for f in fundings], repayment.result()
    assert repaid.status == 200 and repaid.json["status"] == "repaid", (repaid.status, repaid.json)
    assert all(buyer * 10_000 <= cap * total for buyer, total in funded_shares), funded_shares
    assert all(r.status in (200, 409) for r in replies)
    refusals = [r.json["error"]["code"] for r in replies if r.status == 409]
    assert refusals and set(refusals) <= {"concentration_limit_exceeded", "conflict"}
    assert len(funded_shares) == len(replies) - len(refusals)
    assert bool(funded_shares) is not repayment_first  # what is left fits nobody at 30%
    assert portfolio() == {"usd#1": sum(exposures().values())}
