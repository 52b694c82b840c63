"""The company and settings use cases on in-memory fakes (tests/unit/fakes.py), beside their moto tests
(tests/integration/test_companies_api.py, test_settings_api.py): each event carries the object as the
injected renderer shows it, a refused change writes and announces nothing, and ids never leave the tenant."""

import pytest

from financing.composition.companies import company_event
from financing.composition.settings import settings_event
from financing.domain.actor import Actor
from financing.domain.companies import Company
from financing.domain.errors import Conflict, NotFound
from financing.domain.settings import TenantSettings
from financing.services import companies as use_cases
from financing.services.settings import get_settings, replace_settings
from tests.unit.fakes import Books, FakeCompanies, FakePortfolio, FakeSettings, announcing

ACME = Actor(tenant_id="acme", subject="ops", scopes=frozenset(), correlation_id="corr-1")
GLOBEX = Actor(tenant_id="globex", subject="ops", scopes=frozenset(), correlation_id="corr-2")
DETAILS = {
    "name": "Acme Supplies",
    "address": {"country_code": "GB"},
    "website": None,
    "tax_id": None,
    "contacts": [{"first_name": "Sam", "last_name": "Smith", "is_signatory": True}],
}
TERMS = {
    "default_after_days": 60,
    "grace_days": 5,
    "late_fee_rate_percentage": 3650,
    "pricing": {"advance_rate_percentage": 8500, "fee_percentage": 300},
}


@announcing
def _shown_company(company: Company) -> dict:
    return {"shown": company.id, "version": company.version}


@announcing
def _shown_settings(settings: TenantSettings) -> dict:
    return {"shown": settings.tenant_id, "version": settings.version}


def test_a_created_company_is_stored_and_announced_as_the_renderer_shows_it():
    books = Books()
    company = use_cases.create_company(FakeCompanies(books), ACME, DETAILS, announce=_shown_company)
    assert use_cases.get_company(FakeCompanies(books), ACME, company.id) == company
    [event] = books.outbox
    assert (event.type, event.tenant_id, event.correlation_id) == ("company.created", "acme", "corr-1")
    assert event.object == {"shown": company.id, "version": 1}


def test_an_update_saves_the_next_version_and_announces_it():
    books = Books()
    company = use_cases.create_company(FakeCompanies(books), ACME, DETAILS, announce=_shown_company)
    revised = use_cases.update_company(
        FakeCompanies(books), ACME, company.id, {"name": "Acme Ltd"}, announce=_shown_company
    )
    assert (revised.name, revised.version) == ("Acme Ltd", 2)
    assert [e.type for e in books.outbox] == ["company.created", "company.updated"]
    assert books.outbox[-1].object == {"shown": company.id, "version": 2}


def test_an_update_on_a_stale_version_writes_and_announces_nothing():
    books = Books()
    store = FakeCompanies(books)
    company = use_cases.create_company(store, ACME, DETAILS, announce=_shown_company)
    store.save(company.model_copy(update={"version": 2}), books.outbox[0])  # another request won
    announced = len(books.outbox)

    class Stale(FakeCompanies):
        def get(self, tenant_id, item_id):
            return company  # read before the other request's save

    with pytest.raises(Conflict):
        use_cases.update_company(Stale(books), ACME, company.id, {"name": "Late"}, announce=_shown_company)
    assert len(books.outbox) == announced
    assert books.companies[("acme", company.id)].name == DETAILS["name"]


@pytest.mark.parametrize("company_id", ["company_01", "not-an-id", ""])
def test_a_malformed_or_missing_company_is_not_found(company_id):
    with pytest.raises(NotFound):
        use_cases.get_company(FakeCompanies(Books()), ACME, company_id)


def test_another_tenants_company_is_not_found_and_not_listed():
    books = Books()
    company = use_cases.create_company(FakeCompanies(books), ACME, DETAILS, announce=_shown_company)
    with pytest.raises(NotFound):
        use_cases.get_company(FakeCompanies(books), GLOBEX, company.id)
    assert use_cases.list_companies(FakeCompanies(books), GLOBEX, limit=10, after=None) == ([], False)


def test_the_companies_list_pages_newest_first():
    # Newest first is id order (ULIDs: two made in one millisecond order by their random part).
    books = Books()
    made = [
        use_cases.create_company(
            FakeCompanies(books), ACME, {**DETAILS, "name": f"C{n}"}, announce=_shown_company
        )
        for n in range(3)
    ]
    first, more = use_cases.list_companies(FakeCompanies(books), ACME, limit=2, after=None)
    rest, done = use_cases.list_companies(FakeCompanies(books), ACME, limit=2, after=first[-1].id)
    assert ([c.id for c in first + rest], more, done) == (
        sorted((c.id for c in made), reverse=True),
        True,
        False,
    )


def test_replaced_settings_are_announced_once_as_the_renderer_shows_them():
    books = Books()
    store, portfolio = FakeSettings(books), FakePortfolio(books)
    saved = replace_settings(store, ACME, TERMS, portfolio, announce=_shown_settings)
    again = replace_settings(store, ACME, TERMS, portfolio, announce=_shown_settings)
    assert again == saved == get_settings(store, ACME)
    [event] = books.outbox  # the same terms again write and announce nothing
    assert (event.type, event.object) == ("settings.updated", {"shown": "acme", "version": saved.version})


def test_the_real_renderers_show_the_core_objects():
    books = Books()
    company = use_cases.create_company(FakeCompanies(books), ACME, DETAILS, announce=company_event)
    settings = replace_settings(
        FakeSettings(books), ACME, TERMS, FakePortfolio(books), announce=settings_event
    )
    assert books.outbox[0].object["object"] == "company" and books.outbox[0].object["id"] == company.id
    assert books.outbox[1].object == settings_event("settings.updated", ACME, settings).object
