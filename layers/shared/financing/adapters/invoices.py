"""Invoices in the entities table: the invoice item, its client-reference claim, its history, and the
transaction that moves it (invoice + history + journal entry + buyer exposure + outbox, all or nothing).

Keys:
  invoice          pk <tenant>#INVOICE            sk <inv id>
  client reference pk <tenant>#CLIENT_REF         sk <client_reference_id>   (uniqueness per tenant)
  history          pk <tenant>#HISTORY#<inv id>   sk <time>#<ulid>
  exposure         pk <tenant>#EXPOSURE           sk <buyer company id>     (owned by buyer limits)
  credit line      pk <tenant>#CREDIT_LINE        sk line                   (adapters/credit_line.py)
Indexes (sk = invoice id as range key): by-status (status_pk), by-supplier (supplier_pk), by-buyer
(buyer_pk); `receivables-due` (due_pk = DUE#<shard>, due_sk = <due date>#<tenant>#<id>) holds only
financed and overdue invoices whose claim is not settled, so the daily job reads what can age and nothing else.
The financing list (adapters/invoice_list.py) reads, still in id order: by-list-status
(list_status_pk = <tenant>#FINV#<Monite status>), by-due-month (due_month_pk = <tenant>#FINV_DUE#<yyyy-mm>),
and by-due-date (pk, due_date_sk = <due date>#<id>) for a tenant's earliest and latest due dates.
`by-contract-customer` (brl financings only; contract_pk = <tenant>#CONTRACT#<customer document>, contract_sk = <funded at, to the microsecond>#<id>)
holds only financed invoices (financed, overdue, defaulted, repaid) whose supplier had a tax id when
funded: the contracts Open Finance shares with that customer, newest funding first.
"""

import zlib
from datetime import UTC, date, datetime
from typing import Any

from financing.adapters.aws import client
from financing.adapters.concentration import exposure_change
from financing.adapters.credit_line import draw, release
from financing.adapters.dynamo import (
    EntityTable,
    TransactionRefused,
    delete,
    from_item,
    put_new,
    put_versioned,
    tenant_key,
    to_item,
)
from financing.adapters.exposure import SINCE, exposure_key
from financing.adapters.invoice_pages import PageRead, Partition, key_range, read_page
from financing.adapters.ledger import entry_write
from financing.adapters.read_budget import Reads
from financing.clock import iso
from financing.domain.actor import Actor
from financing.domain.buyer_limits import BuyerLimitExceeded
from financing.domain.concentration import ConcentrationRaced, Guard
from financing.domain.consents import is_shared_currency
from financing.domain.credit_line import CreditLine, CreditLineExceeded
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent
from financing.domain.financing_list import LIST_STATUS
from financing.domain.invoices import Invoice, Transition
from financing.domain.ledger import entry_for
from financing.domain.lifecycle import CONTRACTS, Status
from financing.ids import new_id

DUE_SHARDS = 4
AGEING = {Status.FINANCED, Status.OVERDUE}
INDEX_BY = {
    "status": ("by-status", "status_pk"),
    "supplier": ("by-supplier", "supplier_pk"),
    "buyer": ("by-buyer", "buyer_pk"),
}


def _due_shard(invoice_id: str) -> str:
    return f"DUE#{zlib.crc32(invoice_id.encode()) % DUE_SHARDS}"


def _to_item(invoice: Invoice) -> dict[str, Any]:
    tenant = invoice.tenant_id
    item = {
        "pk": tenant_key(tenant, "INVOICE"),
        "sk": invoice.id,
        "kind": "invoice",
        **invoice.model_dump(mode="json", exclude={"id", "tenant_id"}),
        "status_pk": tenant_key(tenant, f"INVOICE#{invoice.status.value}"),
        "supplier_pk": tenant_key(tenant, f"INVOICE#{invoice.supplier}"),
        "buyer_pk": tenant_key(tenant, f"INVOICE#{invoice.buyer}"),
        "list_status_pk": tenant_key(tenant, f"FINV#{LIST_STATUS[invoice.status].value}"),
        "due_month_pk": tenant_key(tenant, f"FINV_DUE#{invoice.due_date:%Y-%m}"),
        "due_date_sk": f"{invoice.due_date.isoformat()}#{invoice.id}",
    }
    if invoice.status in AGEING and not (invoice.financing and invoice.financing.settled_on):
        item["due_pk"] = _due_shard(invoice.id)
        item["due_sk"] = f"{invoice.due_date.isoformat()}#{tenant}#{invoice.id}"
    financing = invoice.financing
    if (
        invoice.status in CONTRACTS
        and financing
        and financing.customer_document
        and is_shared_currency(invoice.currency)
    ):
        item["contract_pk"] = contract_partition(tenant, financing.customer_document)
        item["contract_sk"] = f"{_instant(financing.funded_at)}#{invoice.id}"
    return item


def _instant(moment: datetime) -> str:
    """A time to the microsecond, fixed width, so that its text sorts as the time does: a listing's snapshot
    then leaves out a contract funded later in the same second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def contract_partition(tenant_id: str, customer_document: str) -> str:
    return tenant_key(tenant_id, f"CONTRACT#{customer_document}")


def _from_item(item: dict[str, Any]) -> Invoice:
    return Invoice.model_validate({**item, "id": item["sk"], "tenant_id": item["pk"].rsplit("#", 1)[0]})


parse_invoice = _from_item
invoice_item = _to_item


def _client_ref_key(tenant_id: str, reference: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, "CLIENT_REF"), "sk": reference}


def history_entry(invoice: Invoice, transition: Transition, actor: Actor, at: datetime) -> dict[str, Any]:
    return {
        "pk": tenant_key(invoice.tenant_id, f"HISTORY#{invoice.id}"),
        "sk": f"{iso(at)}#{new_id('hist')}",
        "kind": "history",
        "action": transition.action.value,
        "from": transition.from_status.value,
        "to": transition.to_status.value,
        "reason": transition.reason,
        "actor": actor.subject,
        "at": iso(at),
        "correlation_id": actor.correlation_id,
    }


class InvoiceStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    # ------------------------------------------------------------------------------------- reads

    @staticmethod
    def parse(item: dict[str, Any]) -> Invoice:
        """An invoice from its stored item (read by someone else, e.g. in a batch with other items)."""
        return _from_item(item)

    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None:
        item = self.table.get(tenant_key(tenant_id, "INVOICE"), invoice_id)
        return _from_item(item) if item else None

    def get_with_exposure(
        self, tenant_id: str, invoice_id: str
    ) -> tuple[Invoice | None, dict[str, Any] | None]:
        """The invoice and its buyer's exposure, read together; the exposure needs the buyer, so the
        invoice comes first and the exposure second only when the invoice exists."""
        invoice = self.get(tenant_id, invoice_id)
        if invoice is None:
            return None, None
        return invoice, self.table.get(**_as_pk_sk(exposure_key(tenant_id, invoice.buyer)))

    def page(self, tenant_id: str, *, limit: int, after: str | None, filters: dict[str, str]) -> PageRead:
        """Newest first. One filter uses its index; any others are applied within the page, under the
        page's read budget (adapters/invoice_pages.py): a page ends early rather than read on."""
        name = self.table.table_name
        partition = Partition(name, None, "pk", tenant_key(tenant_id, "INVOICE"))
        rest: list[tuple[str, str]] = []
        if filters:
            (lead, value), *rest = sorted(filters.items())
            index, attribute = INDEX_BY[lead]
            partition = Partition(name, index, attribute, tenant_key(tenant_id, f"INVOICE#{value}"))
        low, high = key_range(after, forward=False)
        return read_page(
            [partition],
            after=after,
            low=low,
            high=high,
            forward=False,
            limit=limit,
            parse=_from_item,
            keep=lambda invoice: all(_field(invoice, key) == val for key, val in rest),
            reads=Reads(),
        )

    def contract_keys(
        self, tenant_id: str, customer_document: str, *, funded_by: datetime
    ) -> list[dict[str, str]]:
        """Every contract of one customer funded at or before `funded_by` (ISO time), newest first, as
        {"id", "type"}: the index's keys and type only, a few dozen bytes each, so counting and slicing
        a page needs no invoice item."""
        request: dict[str, Any] = {
            "TableName": self.table.table_name,
            "IndexName": "by-contract-customer",
            "KeyConditionExpression": "contract_pk = :p AND contract_sk <= :by",
            "ExpressionAttributeValues": to_item(
                {":p": contract_partition(tenant_id, customer_document), ":by": f"{_instant(funded_by)}#~"}
            ),
            "ProjectionExpression": "sk, #t",
            "ExpressionAttributeNames": {"#t": "type"},
            "ScanIndexForward": False,
        }
        found: list[dict[str, str]] = []
        while True:
            response = client("dynamodb").query(**request)
            found += [{"id": i["sk"], "type": i["type"]} for i in map(from_item, response.get("Items", []))]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def history(
        self, tenant_id: str, invoice_id: str, *, limit: int, after: str | None
    ) -> tuple[list[dict], bool]:
        items, more = self.table.page(
            tenant_key(tenant_id, f"HISTORY#{invoice_id}"), limit=limit, after_sk=after, newest_first=False
        )
        return items, more

    def due_on_or_before(self, day: date, *, after: dict | None = None, page_size: int = 100):
        """Financed and overdue invoices of every tenant due on or before `day`, shard by shard."""
        for shard in range(DUE_SHARDS):
            start = None
            while True:
                request: dict[str, Any] = {
                    "TableName": self.table.table_name,
                    "IndexName": "receivables-due",
                    "KeyConditionExpression": "due_pk = :p AND due_sk <= :d",
                    "ExpressionAttributeValues": {
                        ":p": {"S": f"DUE#{shard}"},
                        ":d": {"S": f"{day.isoformat()}#~"},
                    },
                    "Limit": page_size,
                }
                if start:
                    request["ExclusiveStartKey"] = start
                response = client("dynamodb").query(**request)
                for item in response.get("Items", []):
                    yield _from_item(from_item(item))
                start = response.get("LastEvaluatedKey")
                if not start:
                    break

    # ------------------------------------------------------------------------------------ writes

    def create(self, invoice: Invoice, event: DomainEvent) -> None:
        name = self.table.table_name
        claim = {
            **_client_ref_key(invoice.tenant_id, invoice.client_reference_id),
            "kind": "client_ref",
            "invoice_id": invoice.id,
        }
        try:
            self.table.commit([put_new(name, _to_item(invoice)), put_new(name, claim)], [event])
        except TransactionRefused as refused:
            existing = self.table.get(
                **_as_pk_sk(_client_ref_key(invoice.tenant_id, invoice.client_reference_id))
            )
            if 1 in refused.failed and existing:
                raise Conflict(
                    f"An invoice with client_reference_id '{invoice.client_reference_id}' already exists: {existing['invoice_id']}.",
                    code="duplicate_client_reference_id",
                    details={"invoice": existing["invoice_id"]},
                ) from refused
            raise Conflict(f"Invoice '{invoice.id}' already exists.") from refused

    def replace_draft(self, invoice: Invoice, previous: Invoice, event: DomainEvent) -> None:
        """Save an edited draft; a changed client_reference_id moves its uniqueness claim in the same transaction."""
        name = self.table.table_name
        writes = [put_versioned(name, _to_item(invoice), previous.version)]
        if invoice.client_reference_id != previous.client_reference_id:
            claim = {
                **_client_ref_key(invoice.tenant_id, invoice.client_reference_id),
                "kind": "client_ref",
                "invoice_id": invoice.id,
            }
            writes += [
                put_new(name, claim),
                delete(name, _client_ref_key(previous.tenant_id, previous.client_reference_id)),
            ]
        try:
            self.table.commit(writes, [event])
        except TransactionRefused as refused:
            if 1 in refused.failed:
                raise Conflict(
                    f"client_reference_id '{invoice.client_reference_id}' is used by another invoice.",
                    code="duplicate_client_reference_id",
                ) from refused
            raise _lost_race(invoice) from refused

    def delete_draft(self, invoice: Invoice, event: DomainEvent) -> None:
        name = self.table.table_name
        writes = [
            delete(name, {"pk": tenant_key(invoice.tenant_id, "INVOICE"), "sk": invoice.id}, invoice.version),
            delete(name, _client_ref_key(invoice.tenant_id, invoice.client_reference_id)),
        ]
        try:
            self.table.commit(writes, [event])
        except TransactionRefused as refused:
            raise _lost_race(invoice) from refused

    def move(
        self,
        invoice: Invoice,
        previous: Invoice,
        transitions: list[Transition],
        actor: Actor,
        events: list[DomainEvent],
        *,
        limit_guard: dict[str, Any] | None = None,
        credit_line: CreditLine | None = None,
        concentration: Guard | None = None,
    ) -> None:
        """Commit a changed invoice with its history and events; adjust the buyer's exposure and the
        tenant's credit line when they change.

        `limit_guard` (funding): {"total_limit": read total, "headroom": highest outstanding that still fits}
        makes the exposure increase conditional, so concurrent fundings can never exceed the limit;
        `credit_line` (funding on a line): the line as read, which the draw's condition holds to;
        `concentration` (any exposure change): what was read of the concentration limit
        (adapters/concentration.py), which the exposure's and the portfolio's conditions hold to.
        """
        name = self.table.table_name
        writes = self._writes(invoice, previous, transitions, actor, events)
        delta = invoice.exposure - previous.exposure
        exposure_at = portfolio_at = line_at = None
        if delta:
            assert concentration is not None, "an exposure change must carry its concentration guard"
            exposure_at = len(writes)
            changes = exposure_change(
                name, invoice.tenant_id, invoice.buyer, invoice.currency, delta, limit_guard, concentration
            )
            portfolio_at = exposure_at + 1 if len(changes) > 1 else None
            writes += changes
        drawn = _on_line(invoice) - _on_line(previous)
        if drawn > 0:
            assert credit_line is not None, "a draw on the credit line must be guarded by the line"
            line_at = len(writes)
            writes.append(draw(name, credit_line, drawn))
        elif drawn < 0:
            writes.append(release(name, invoice.tenant_id, -drawn))
        try:
            self.table.commit(writes, events)
        except TransactionRefused as refused:
            lost = 0 in refused.failed
            if (
                not lost
                and {exposure_at, portfolio_at} & set(refused.failed)
                and self._raced(invoice, concentration)
            ):
                raise ConcentrationRaced(
                    "The buyer's exposure or the tenant's portfolio changed meanwhile; retry.",
                    code="conflict",
                ) from refused
            if delta > 0 and exposure_at in refused.failed and not lost:
                raise BuyerLimitExceeded(
                    "Funding this invoice would exceed the buyer's available limit.",
                    code="buyer_limit_exceeded",
                ) from refused
            if refused.failed == [line_at]:
                raise CreditLineExceeded(
                    "Funding this invoice would exceed the credit line's available amount.",
                    code="credit_line_exceeded",
                ) from refused
            raise _lost_race(invoice) from refused

    def _raced(self, invoice: Invoice, guard: Guard | None) -> bool:
        """Whether a refused exposure change lost to the concentration limit rather than to the buyer's
        limit: any refusal under the limit (decided again from a fresh read), or one decided without it
        whose buyer was counted into a portfolio since (the limit was switched on meanwhile)."""
        if guard is None or guard.since is not None:
            return guard is not None
        item = self.table.get(**_as_pk_sk(exposure_key(invoice.tenant_id, invoice.buyer))) or {}
        return int(item.get(SINCE, 0)) > guard.settings_version

    def move_many(self, moves: list[tuple[Invoice, Invoice, list[Transition]]], actor: Actor, events) -> None:
        """Several invoices' changes (no exposure involved, e.g. submissions) as one transaction: all or
        nothing. Each invoice takes its put and its history entries; with the events, at most 100 writes."""
        writes: list[dict[str, Any]] = []
        owner: list[Invoice] = []  # the invoice each write belongs to, to name the one that lost a race
        for invoice, previous, transitions in moves:
            mine = self._writes(invoice, previous, transitions, actor, events)
            writes += mine
            owner += [invoice] * len(mine)
        try:
            self.table.commit(writes, events)
        except TransactionRefused as refused:
            raise _lost_race(owner[min(refused.failed)]) from refused

    def _writes(
        self,
        invoice: Invoice,
        previous: Invoice,
        transitions: list[Transition],
        actor: Actor,
        events: list[DomainEvent],
    ) -> list[dict[str, Any]]:
        """The invoice's put, its history entries and, when money moved, its journal entry."""
        name = self.table.table_name
        writes = [put_versioned(name, _to_item(invoice), previous.version)]
        writes += [put_new(name, history_entry(invoice, t, actor, invoice.updated)) for t in transitions]
        cause = next((e for e in events if e.object.get("id") == invoice.id), events[0] if events else None)
        entry = entry_for(
            previous,
            invoice,
            event_id=cause.id if cause else "",
            correlation_id=actor.correlation_id,
            at=invoice.updated,
        )
        return writes + ([entry_write(name, entry)] if entry else [])


def _on_line(invoice: Invoice) -> int:
    """The principal `invoice` holds on the tenant's credit line."""
    return invoice.exposure if invoice.financing and invoice.financing.on_credit_line else 0


def _as_pk_sk(key: dict[str, str]) -> dict[str, str]:
    return {"pk": key["pk"], "sk": key["sk"]}


def _lost_race(invoice: Invoice) -> Conflict:
    return Conflict(
        f"Invoice '{invoice.id}' was changed by another request; read it again and retry.", code="conflict"
    )


def _field(invoice: Invoice, name: str) -> str:
    value = getattr(invoice, name)
    return value.value if hasattr(value, "value") else value
