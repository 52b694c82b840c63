"""The buyer limit use cases on in-memory fakes (tests/unit/fakes.py), beside their moto tests
(tests/integration/test_buyer_limits_api.py): requests and decisions announced as the injected renderer
shows them, a superseded or stale decision refused writing nothing, and the buyer's exposure kept."""

from decimal import Decimal

import pytest

from financing.composition.buyer_limits import buyer_limit_event
from financing.domain.actor import Actor
from financing.domain.buyer_limits import BuyerLimitView, LimitStatus
from financing.domain.companies import register_company
from financing.domain.errors import Conflict, InvalidInput
from financing.services import buyer_limits as use_cases
from tests.unit.fakes import Books, FakeBuyerLimits, FakeCompanies, FakeExposures, announcing
from tests.unit.worlds import given_event

LENDER = Actor(tenant_id="acme", subject="lender", scopes=frozenset(), correlation_id="corr-1")


@announcing
def _shown(view: BuyerLimitView) -> dict:
    return {"shown": view.limit.id, "status": view.limit.status.value, "available": view.available_limit}


def _buyer(books: Books) -> str:
    company = register_company(
        tenant_id="acme",
        name="Buyer",
        address={"country_code": "GB"},
        website=None,
        tax_id=None,
        contacts=[{"first_name": "Sam", "last_name": "Buyer", "is_signatory": True}],
    )
    FakeCompanies(books).add(company, given_event("company.created", {}))
    books.outbox.clear()
    return company.id


def _request(books: Books, buyer: str, amount: str = "1000.00", announce=_shown) -> BuyerLimitView:
    details = {"company_id": buyer, "requested_limit": Decimal(amount), "currency": "usd"}
    return use_cases.create_buyer_limit(FakeBuyerLimits(books), LENDER, details, announce=announce)


def _approve(books: Books, limit_id: str, total: str = "800.00") -> BuyerLimitView:
    return use_cases.approve_buyer_limit(
        FakeBuyerLimits(books), FakeExposures(books), LENDER, limit_id, Decimal(total), announce=_shown
    )


def test_a_request_then_its_approval_are_announced_and_set_the_buyers_exposure():
    books = Books()
    buyer = _buyer(books)
    requested = _request(books, buyer)
    approved = _approve(books, requested.limit.id)
    assert (approved.limit.status, approved.limit.total_limit, approved.available_limit) == (
        LimitStatus.APPROVED,
        80_000,
        80_000,
    )
    exposure = books.exposures[("acme", buyer)]
    assert (exposure.limit_status, exposure.total_limit) == (LimitStatus.APPROVED, 80_000)
    assert [(e.type, e.object) for e in books.outbox] == [
        ("buyer_limit.created", {"shown": requested.limit.id, "status": "pending", "available": 0}),
        ("buyer_limit.approved", {"shown": requested.limit.id, "status": "approved", "available": 80_000}),
    ]


def test_a_superseded_request_cannot_be_approved_and_nothing_is_written():
    books = Books()
    buyer = _buyer(books)
    first = _request(books, buyer)
    second = _request(books, buyer, "2000.00")
    announced, exposure = len(books.outbox), books.exposures[("acme", buyer)]
    with pytest.raises(Conflict) as refused:
        _approve(books, first.limit.id)
    assert refused.value.code == "limit_superseded"
    assert (len(books.outbox), books.exposures[("acme", buyer)]) == (announced, exposure)
    assert books.buyer_limits[("acme", first.limit.id)].status == LimitStatus.PENDING
    assert exposure.current_limit_id == second.limit.id


def test_a_denied_limit_is_announced_and_cannot_be_approved_after():
    books = Books()
    requested = _request(books, _buyer(books))
    denied = use_cases.deny_buyer_limit(
        FakeBuyerLimits(books), LENDER, requested.limit.id, "Too risky", announce=_shown
    )
    assert (denied.limit.status, denied.limit.reason) == (LimitStatus.DENIED, "Too risky")
    assert books.outbox[-1].type == "buyer_limit.denied"
    with pytest.raises(Conflict):
        _approve(books, requested.limit.id)
    assert len(books.outbox) == 2


def test_a_limit_for_an_unknown_buyer_is_refused_writing_nothing():
    books = Books()
    with pytest.raises(InvalidInput):
        _request(books, "company_01J0000000000000000000000")
    assert (books.buyer_limits, books.exposures, books.outbox) == ({}, {}, [])


def test_the_list_pages_newest_first_and_filters_by_buyer():
    # Newest first is id order (ULIDs: two made in one millisecond order by their random part).
    books = Books()
    one, two = _buyer(books), _buyer(books)
    made = [_request(books, one), _request(books, two), _request(books, one)]
    exposures = FakeExposures(books)
    page, more = use_cases.list_buyer_limits(
        FakeBuyerLimits(books), exposures, LENDER, company_id=one, limit=1, after=None
    )
    rest, done = use_cases.list_buyer_limits(
        FakeBuyerLimits(books), exposures, LENDER, company_id=one, limit=1, after=page[-1].limit.id
    )
    assert ([v.limit.id for v in page + rest], more, done) == (
        sorted([made[0].limit.id, made[2].limit.id], reverse=True),
        True,
        False,
    )
    with pytest.raises(InvalidInput):
        use_cases.list_buyer_limits(
            FakeBuyerLimits(books), exposures, LENDER, company_id="x", limit=1, after=None
        )


def test_the_real_renderer_shows_the_core_buyer_limit_object():
    books = Books()
    requested = _request(books, _buyer(books), announce=buyer_limit_event)
    assert books.outbox[0].object == buyer_limit_event("buyer_limit.created", LENDER, requested).object
    assert books.outbox[0].object["id"] == requested.limit.id
