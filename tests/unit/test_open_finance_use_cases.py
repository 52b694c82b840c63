"""The Open Finance reads on in-memory fakes (tests/unit/fakes.py), beside their moto tests
(tests/integration/test_open_finance_api.py): a contract is shown only under a consent that allows it, to
the consent's customer, in the shared currency; the list pages over the listing's snapshot, through the
injected contract ids and pagination."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from financing import clock
from financing.clock import now
from financing.domain.consents import ConsentRefused, Permission, grant_consent, revoke
from financing.domain.errors import NotFound
from financing.domain.invoices import Invoice, Party, TypeOfGoods
from financing.domain.settings import InstitutionNotConfigured
from financing.services.open_finance import SharedContracts
from financing.services.ports import OpenFinancePorts
from tests.unit.fakes import Books, FakeConsentedReads
from tests.unit.test_invoice_use_cases import TERMS
from tests.unit.worlds import LENDER, TENANT, FakeWorld

CUSTOMER = "52998224725"


@dataclass(frozen=True)
class Page:
    page: int
    size: int
    snapshot: datetime
    binding: str


def _page_request(page: int, size: int, pagination_key: str | None, binding: str) -> Page:
    return Page(page, size, datetime.fromisoformat(pagination_key) if pagination_key else now(), binding)


def _ports(books: Books) -> OpenFinancePorts:
    # Contract ids are "c-" + the invoice id here: the service passes them through the injected mapping.
    return OpenFinancePorts(
        reads=FakeConsentedReads(books),
        invoice_id_of=lambda contract: contract.removeprefix("c-") if contract.startswith("c-") else None,
        page_request=_page_request,
    )


def _funded(world: FakeWorld, supplier_document: str = CUSTOMER, currency: str = "brl") -> Invoice:
    supplier = world.company("Supplier", supplier_document)
    buyer = world.company("Buyer")
    world.buyer_limit(buyer.id, 1_000_000, currency)
    invoices = world.invoices()
    today = clock.today()
    invoice = invoices.create(
        {
            "supplier": supplier.id,
            "buyer": buyer.id,
            "invoice_number": f"INV-{supplier_document}-{currency}",
            "client_reference_id": f"r-{supplier_document}-{currency}",
            "invoice_document": world.document().id,
            "amount": 100_000,
            "currency": currency,
            "type_of_goods": [TypeOfGoods.OTHER],
            "issue_date": today - timedelta(days=10),
            "due_date": today + timedelta(days=60),
        }
    )
    invoices.submit(invoice.id)
    invoices.request_signatures(invoice.id)
    invoices.sign(invoice.id, Party.SUPPLIER, supplier.contacts[0].id)
    invoices.sign(invoice.id, Party.BUYER, buyer.contacts[0].id)
    return invoices.fund(invoice.id, None, None, None)


def _world(*permissions: Permission) -> tuple[FakeWorld, str]:
    world = FakeWorld()
    world.settings(**TERMS, brand_name="Lender", institution_cnpj="45723174000110")
    consent = grant_consent(
        tenant_id=TENANT,
        customer_document=CUSTOMER,
        permissions=[p.value for p in permissions or [Permission.INVOICE_FINANCINGS_READ]],
        expiration_date_time=now().astimezone(UTC) + timedelta(days=30),
        now=now(),
    )
    world.books.consents[(TENANT, consent.id)] = consent
    return world, consent.id


def test_the_consents_customer_sees_its_contract_and_no_other():
    world, consent_id = _world()
    mine = _funded(world)
    others = _funded(world, "11144477735")
    in_dollars = _funded(world, currency="usd")
    shared = SharedContracts(LENDER, consent_id, _ports(world.books))
    found = shared.contract(f"c-{mine.id}", Permission.INVOICE_FINANCINGS_READ)
    assert (found.invoice, found.consent.id, found.settings.brand_name) == (mine, consent_id, "Lender")
    for contract in (f"c-{others.id}", f"c-{in_dollars.id}", mine.id, "c-inv_01"):
        with pytest.raises(NotFound):
            shared.contract(contract, Permission.INVOICE_FINANCINGS_READ)


def test_the_list_pages_over_the_listings_snapshot_bound_to_tenant_consent_and_listing():
    world, consent_id = _world()
    first = _funded(world)
    shared = SharedContracts(LENDER, consent_id, _ports(world.books))
    _, request, keys = shared.contracts(1, 25, None)
    assert keys == [{"id": first.id, "type": first.type.value}]
    assert request.binding == f"{TENANT}:{consent_id}:contracts"
    _, again, keys = shared.contracts(2, 25, (first.financing.funded_at - timedelta(seconds=1)).isoformat())
    assert keys == [] and again.page == 2  # funded after the snapshot: not in that listing
    _, part = shared.contract_page(
        f"c-{first.id}", Permission.INVOICE_FINANCINGS_READ, 1, 25, None, "payments"
    )
    assert part.binding == f"{TENANT}:{consent_id}:c-{first.id}/payments"


def test_no_consent_a_malformed_one_a_revoked_one_or_a_missing_permission_is_refused():
    world, consent_id = _world(Permission.RESOURCES_READ)
    invoice = _funded(world)
    for missing in (None, "", "nope", "consent_01"):
        with pytest.raises(ConsentRefused):
            SharedContracts(LENDER, missing, _ports(world.books)).contracts(1, 25, None)
    with pytest.raises(ConsentRefused):
        SharedContracts(LENDER, consent_id, _ports(world.books)).contract(
            f"c-{invoice.id}", Permission.INVOICE_FINANCINGS_READ
        )
    consent = world.books.consents[(TENANT, consent_id)]
    world.books.consents[(TENANT, consent_id)] = revoke(consent, now())
    with pytest.raises(ConsentRefused):
        SharedContracts(LENDER, consent_id, _ports(world.books)).contracts(1, 25, None)


def test_an_institution_not_configured_shares_nothing():
    world, consent_id = _world()
    world.books.settings.pop(TENANT)
    with pytest.raises(InstitutionNotConfigured):
        SharedContracts(LENDER, consent_id, _ports(world.books)).contracts(1, 25, None)
