"""The fakes' contract: the invoice use-case tests (tests/unit/test_invoice_use_cases.py) run on the
in-memory fakes and on the real adapters over moto, wired as the handlers wire them. A fake that
drifts from its adapter (a guard it does not keep, a refusal it names otherwise, a write it makes when
the adapter writes nothing) fails here on one side only."""

import pytest

from financing.adapters.aws import client
from financing.adapters.buyer_limits import BuyerLimitStore
from financing.adapters.concentration import Portfolio
from financing.adapters.credit_line import CreditLineStore
from financing.adapters.dynamo import EntityTable, from_item, tenant_key
from financing.adapters.ledger import LedgerStore
from financing.adapters.settings import SettingsStore
from financing.composition.invoices import invoice_ports
from financing.composition.ledger import ledger_use_cases
from financing.domain import buyer_limits
from financing.domain.actor import Actor
from financing.domain.credit_line import CreditLine
from financing.domain.ledger import JournalEntry
from financing.services.ledger import Ledger
from tests.unit import test_invoice_use_cases, test_ledger_use_cases
from tests.unit.worlds import LENDER, PLAN, TENANT, FakeWorld, World, given_event, major

# Every use-case test (imported as modules, so that pytest does not collect them here a second time).
CONTRACT = [
    test
    for module in (test_invoice_use_cases, test_ledger_use_cases)
    for name, test in vars(module).items()
    if name.startswith("test_")
]


class MotoWorld(World):
    """The same given-steps and probes on the real adapters, each given written as its own use case
    writes it (a buyer limit requested then approved, the line's terms set)."""

    def __init__(self) -> None:
        self.table = EntityTable()
        self.ports = invoice_ports()
        self.settings_store = SettingsStore(self.table)
        self.portfolio = Portfolio(self.table)

    def ledger(self, actor: Actor = LENDER) -> Ledger:
        return ledger_use_cases(actor)

    def buyer_limit(self, buyer: str, total: int, currency: str = "usd") -> None:
        store = BuyerLimitStore(self.table)
        limit = buyer_limits.request_limit(
            tenant_id=TENANT, company_id=buyer, requested_limit=major(total), currency=currency
        )
        store.add(limit, given_event(buyer_limits.CREATED, {"id": limit.id}))
        store.decide(buyer_limits.approve(limit, major(total)), given_event(buyer_limits.APPROVED, {}))

    def credit_line(self, total: int, currency: str = "usd") -> None:
        line = CreditLine(tenant_id=TENANT, total_amount=total, currency=currency, pricing_plans=[PLAN])
        CreditLineStore(self.table).set_terms(line, given_event("credit_line.updated", {}))

    def line_outstanding(self) -> int:
        line = CreditLineStore(self.table).get(TENANT)
        assert line is not None
        return line.outstanding

    def events(self) -> list[str]:
        request = {
            "TableName": self.table.table_name,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": tenant_key(TENANT, "OUTBOX")}},
            "ConsistentRead": True,
        }
        return [from_item(i)["detail_type"] for i in client("dynamodb").query(**request)["Items"]]

    def journal(self, invoice_id: str) -> list[JournalEntry]:
        return list(LedgerStore(self.table).of_invoice(TENANT, invoice_id))


@pytest.fixture(params=["fake", "moto"])
def world(request) -> World:
    if request.param == "fake":
        return FakeWorld()
    request.getfixturevalue("aws")
    return MotoWorld()


@pytest.mark.parametrize("behaviour", CONTRACT, ids=lambda test: test.__name__.removeprefix("test_"))
def test_the_fakes_and_the_adapters_keep_the_same_contract(world, behaviour):
    behaviour(world)
