"""Invoice use cases: draft, read, list, edit, delete, and every lifecycle action.

Each action reads what it needs, lets the domain decide, and commits one transaction
(invoice + history + exposure + outbox events) through the store.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from financing.clock import now
from financing.domain import invoices as rules
from financing.domain.actor import Actor
from financing.domain.buyer_limits import BuyerLimitExceeded, Exposure, LimitStatus
from financing.domain.concentration import ConcentrationRaced, Guard, check_funding, read_guard
from financing.domain.credit_line import PricingPlan, check_draw, offered_pricing
from financing.domain.documents import Purpose
from financing.domain.errors import FieldProblem, InvalidInput, NotFound
from financing.domain.events import DomainEvent
from financing.domain.financing_list import InvoiceQuery
from financing.domain.funding import Pricing
from financing.domain.invoices import FinancingSession, Invoice, InvoiceType, Party, Transition
from financing.domain.lifecycle import Action
from financing.domain.money import MoneyError, to_minor
from financing.domain.settings import TenantSettings
from financing.ids import is_id, new_id
from financing.services import documents as document_service
from financing.services.ports import Announces, InvoicePorts, InvoiceStore, ListedPage, Settings


class Invoices:
    """The invoice use cases of one caller over their stores (services/ports.py; constructed per request
    by financing.composition.invoices)."""

    def __init__(self, actor: Actor, ports: InvoicePorts) -> None:
        self.actor = actor
        self.ports = ports
        self.store = ports.invoices
        self.reads = ports.reads
        self.shapes = ports.shapes

    # -------------------------------------------------------------------------------------- reading

    def get(self, invoice_id: str) -> Invoice:
        invoice = self.store.get(self.actor.tenant_id, invoice_id) if is_id("inv", invoice_id) else None
        if invoice is None:
            raise NotFound("invoice", invoice_id)
        return invoice

    def render(self, invoice: Invoice) -> dict[str, Any]:
        """The invoice as its family shows it (the core API: its document expanded from the snapshot it
        keeps, taken when the invoice was drafted, edited or submitted), so rendering reads nothing."""
        return self.shapes.render(invoice)

    def page(self, *, limit: int, after: str | None, filters: dict[str, str]) -> ListedPage:
        return self.store.page(self.actor.tenant_id, limit=limit, after=after, filters=filters)

    def financing_page(self, query: InvoiceQuery, *, after: str | None, backward: bool) -> ListedPage:
        """A page of the financing list (Monite): `query.limit` matching invoices beyond `after`."""
        return self.ports.financing_list.page(self.actor.tenant_id, query, after=after, backward=backward)

    def buyer_names(self, invoices: list[Invoice]) -> dict[str, str]:
        """The buyers' names by company id, in one batched read."""
        found, _ = self.reads.references(
            self.actor.tenant_id, list(dict.fromkeys(i.buyer for i in invoices)), None
        )
        return {company_id: company.name for company_id, company in found.items()}

    def history(self, invoice_id: str, *, limit: int, after: str | None) -> tuple[list[dict], bool]:
        entries, more = self.store.history(self.actor.tenant_id, invoice_id, limit=limit, after=after)
        if not entries:
            self.get(invoice_id)  # an empty history is only an answer for an invoice that exists
        return entries, more

    # ---------------------------------------------------------------------------------------- drafts

    def _check_references(self, details: dict[str, Any]) -> dict[str, Any] | None:
        """The companies and document a draft names must be the tenant's (one batched read); returns the
        document's snapshot when the draft names one."""
        named = [details[f] for f in ("supplier", "buyer") if is_id("company", details.get(f) or "")]
        document_id = details.get("invoice_document") or ""
        companies, document = self.reads.references(
            self.actor.tenant_id,
            list(dict.fromkeys(named)),
            document_id if is_id("doc", document_id) else None,
        )
        problems = [
            FieldProblem(field, f"no such company: '{details[field]}'")
            for field in ("supplier", "buyer")
            if field in details and details[field] not in companies
        ]
        snapshot = None
        if "invoice_document" in details:
            if document is None:
                problems.append(
                    FieldProblem("invoice_document", f"no such document: '{details['invoice_document']}'")
                )
            elif document.purpose != Purpose.INVOICE:
                problems.append(FieldProblem("invoice_document", "must be a document of purpose 'invoice'"))
            else:
                snapshot = self.shapes.document_snapshot(document)
        if problems:
            raise InvalidInput(problems)
        return snapshot

    def create(self, details: dict[str, Any]) -> Invoice:
        snapshot = self._check_references(details)
        invoice = rules.draft_invoice(tenant_id=self.actor.tenant_id, now=now(), document=snapshot, **details)
        self.store.create(invoice, self._event(rules.CREATED, invoice))
        return invoice

    def edit(self, invoice_id: str, changes: dict[str, Any]) -> Invoice:
        previous = self.get(invoice_id)
        snapshot = self._check_references(changes)
        revised = rules.revise_draft(
            previous, {**changes, **({"document": snapshot} if snapshot else {})}, now()
        )
        self.store.replace_draft(revised, previous, self._event(rules.UPDATED, revised))
        return revised

    def delete(self, invoice_id: str) -> Invoice:
        invoice = self.get(invoice_id)
        rules.check_deletable(invoice)
        self.store.delete_draft(invoice, self._event(rules.DELETED, invoice))
        return invoice

    # ------------------------------------------------------------------------------------ lifecycle

    def submit(self, invoice_id: str, session: FinancingSession | None = None) -> Invoice:
        invoice, moved, transition = self._submission(self.get(invoice_id), session)
        return self._commit(invoice, moved, [transition])

    def submit_many(
        self, wanted: list[tuple[str, InvoiceType]], offered_plan: PricingPlan | None = None
    ) -> list[Invoice]:
        """Submit several invoices (id, expected type) in one financing session, all or nothing: each must
        pass the same rules as a single submission, and every change commits in one transaction. Each
        records `offered_plan`, the pricing plan funding will apply."""
        invoices = [self.get(invoice_id) for invoice_id, _ in wanted]
        problems = [
            FieldProblem(f"invoices.{n}.type", f"the invoice is a {invoice.type.value} invoice")
            for n, (invoice, (_, kind)) in enumerate(zip(invoices, wanted, strict=True))
            if invoice.type != kind
        ]
        if problems:
            raise InvalidInput(problems)
        session = FinancingSession(id=new_id("ifs"), submitted_by=self.actor.subject, created=now())
        moves = [
            (previous, moved.model_copy(update={"offered_plan": offered_plan}), t)
            for previous, moved, t in (self._submission(invoice, session) for invoice in invoices)
        ]
        events = [e for _, moved, t in moves for e in _events_for(moved, [t], self.actor, self.shapes.event)]
        self.store.move_many([(moved, previous, [t]) for previous, moved, t in moves], self.actor, events)
        return [moved for _, moved, _ in moves]

    def _submission(
        self, invoice: Invoice, session: FinancingSession | None
    ) -> tuple[Invoice, Invoice, Transition]:
        rules.check_submittable(invoice)
        exposure, document = self.reads.submission(
            self.actor.tenant_id, invoice.buyer, invoice.invoice_document
        )
        if document is not None and not document.uploaded:
            document = document_service.refreshed(
                self.ports.documents,
                self.ports.files,
                self.actor,
                document,
                announce=self.shapes.document_event,
            )
        moved, transition = rules.submit(
            invoice,
            now=now(),
            buyer_limit_approved=exposure is not None and exposure.limit_status == LimitStatus.APPROVED,
            document_uploaded=document is not None and document.uploaded,
            session=session,
            document=self.shapes.document_snapshot(document) if document else None,
        )
        return invoice, moved, transition

    def open_session(
        self, supplier: str, buyer: str, invoice_id: str, supporting: list[dict], submitted_by: str | None
    ) -> Invoice:
        """POST /v1/financing_sessions: submit one invoice with its supporting documents."""
        invoice = self.get(invoice_id)
        problems = []
        if invoice.supplier != supplier:
            problems.append(FieldProblem("supplier", "is not the invoice's supplier"))
        if invoice.buyer != buyer:
            problems.append(FieldProblem("buyer", "is not the invoice's buyer"))
        for n, item in enumerate(supporting):
            if item["invoice"] != invoice_id:
                problems.append(
                    FieldProblem(f"supporting_documents.{n}.invoice", "must be the submitted invoice")
                )
            elif (
                not is_id("doc", item["document"])
                or self.ports.documents.get(self.actor.tenant_id, item["document"]) is None
            ):
                problems.append(
                    FieldProblem(
                        f"supporting_documents.{n}.document", f"no such document: '{item['document']}'"
                    )
                )
        if problems:
            raise InvalidInput(problems)
        session = FinancingSession(
            id=new_id("ifs"),
            submitted_by=submitted_by or self.actor.subject,
            supporting_documents=supporting,
            created=now(),
        )
        return self.submit(invoice_id, session)

    def request_info(self, invoice_id: str, reason: str) -> Invoice:
        invoice = self.get(invoice_id)
        moved, transition = rules.request_info(invoice, reason, now())
        return self._commit(invoice, moved, [transition])

    def decline(self, invoice_id: str, reason: str) -> Invoice:
        invoice = self.get(invoice_id)
        moved, transition = rules.decline(invoice, reason, now())
        return self._commit(invoice, moved, [transition])

    def request_signatures(self, invoice_id: str) -> Invoice:
        invoice = self.get(invoice_id)
        moved, transition = rules.request_signatures(invoice, now())
        return self._commit(invoice, moved, [transition])

    def sign(self, invoice_id: str, party: Party, contact_id: str) -> Invoice:
        invoice = self.get(invoice_id)
        company = self.ports.companies.get(
            self.actor.tenant_id, invoice.supplier if party == Party.SUPPLIER else invoice.buyer
        )
        is_signatory = bool(company) and any(c.id == contact_id and c.is_signatory for c in company.contacts)
        moved, transition = rules.sign(invoice, party, contact_id, is_signatory=is_signatory, now=now())
        return self._commit(invoice, moved, [transition])

    def fund(
        self, invoice_id: str, advance_rate: int | None, fee_rate: int | None, disbursement_date: date | None
    ) -> Invoice:
        def decide() -> Invoice:
            invoice, moved, transitions, guards = self._priced(
                invoice_id, advance_rate, fee_rate, disbursement_date
            )
            return self._commit(invoice, moved, transitions, **guards)

        return _deciding_again(decide)

    def preview_funding(
        self, invoice_id: str, advance_rate: int | None, fee_rate: int | None, disbursement_date: date | None
    ) -> Invoice:
        """The invoice as `fund` would book it now, with the same checks; nothing is written."""
        return self._priced(invoice_id, advance_rate, fee_rate, disbursement_date)[1]

    def _priced(
        self, invoice_id: str, advance_rate: int | None, fee_rate: int | None, disbursement_date: date | None
    ) -> tuple[Invoice, Invoice, list[Transition], dict[str, Any]]:
        """Everything funding decides before it commits: the invoice before and after, the transition and
        what the commit guards."""
        invoice = self.get(invoice_id)
        facts = self.reads.funding(self.actor.tenant_id, invoice)
        tenant_settings = facts.settings
        if invoice.offered_plan is not None:
            pricing = offered_pricing(invoice.offered_plan, advance_rate, fee_rate)
        else:
            plan = tenant_settings.funding_pricing()
            pricing = Pricing(
                advance_rate=advance_rate if advance_rate is not None else plan.advance_rate,
                fee_rate=fee_rate if fee_rate is not None else plan.fee_rate,
            )
        moved, transition = rules.fund(
            invoice,
            pricing,
            disbursement_date=disbursement_date or now().date(),
            now=now(),
            receivable_confirmed=facts.receivable_status == "CONFIRMED",
            customer_document=facts.supplier.tax_id if facts.supplier else None,
            iof_rates=tenant_settings.iof_rates(),
        )
        exposure = facts.exposure
        total, outstanding = (exposure.total_limit, exposure.outstanding) if exposure else (0, 0)
        advance = moved.exposure
        if (
            exposure is None
            or exposure.limit_status != LimitStatus.APPROVED
            or exposure.currency != invoice.currency
            or outstanding + advance > total
        ):
            raise BuyerLimitExceeded(
                f"The advance of {advance} minor units exceeds the buyer's available limit of {max(0, total - outstanding)}.",
                code="buyer_limit_exceeded",
            )
        concentration = self._concentration(tenant_settings, exposure, invoice.currency, advance)
        line = facts.credit_line
        if line is not None:
            check_draw(line, advance, invoice.currency)
            assert moved.financing is not None
            moved = moved.model_copy(
                update={"financing": moved.financing.model_copy(update={"on_credit_line": True})}
            )
        guards = {
            "limit_guard": {"total_limit": total, "headroom": total - advance},
            "credit_line": line,
            "concentration": concentration,
        }
        return invoice, moved, [transition], guards

    def _concentration(
        self, tenant_settings: TenantSettings, exposure: Exposure | None, currency: str, advance: int
    ) -> Guard:
        """Check the concentration limit on a funding of `advance` (409 concentration_limit_exceeded)."""
        guard = self._guard(tenant_settings, exposure, currency)
        limit = tenant_settings.concentration_limit()
        if limit is None:
            return guard
        within = check_funding(
            limit, buyer=guard.buyer, tenant=guard.tenant, advance=advance, currency=currency
        )
        return guard.allowed(within, advance, limit.applies_above)

    def _guard(self, tenant_settings: TenantSettings, exposure: Exposure | None, currency: str) -> Guard:
        """What an exposure change must hold to: with the limit on, the tenant's portfolio item too (its
        key names the limit's epoch, known once the settings are read, hence a read of its own)."""
        since = tenant_settings.concentration_since
        portfolio = 0 if since is None else self.reads.portfolio(self.actor.tenant_id, currency, since)
        return read_guard(tenant_settings, exposure, portfolio)

    def record_payment(self, invoice_id: str, amount: Decimal, paid_date: date, reference: str) -> Invoice:
        return _deciding_again(lambda: self._record_payment(invoice_id, amount, paid_date, reference))

    def _record_payment(self, invoice_id: str, amount: Decimal, paid_date: date, reference: str) -> Invoice:
        invoice = self.get(invoice_id)
        try:
            minor = to_minor(amount, invoice.currency)
        except MoneyError as error:
            raise InvalidInput([FieldProblem("amount", str(error))]) from None
        moved, transition = rules.record_payment(
            invoice, minor, paid_date=paid_date, reference=reference, now=now()
        )
        guard = None
        if moved.exposure != invoice.exposure:  # a repayment releases the buyer's exposure
            tenant_settings, exposure = self.reads.exposure(self.actor.tenant_id, invoice.buyer)
            guard = self._guard(tenant_settings, exposure, invoice.currency)
        return self._commit(invoice, moved, [transition], concentration=guard)

    # ---------------------------------------------------------------------------------------- commit

    def _commit(
        self, previous: Invoice, moved: Invoice, transitions: list[Transition], **guards: Any
    ) -> Invoice:
        self.store.move(
            moved,
            previous,
            transitions,
            self.actor,
            _events_for(moved, transitions, self.actor, self.shapes.event),
            **guards,
        )
        return moved

    def _event(self, type_: str, invoice: Invoice) -> DomainEvent:
        return self.shapes.event(type_, self.actor, invoice)


RACE_ATTEMPTS = 3


def _deciding_again(decide: Callable[[], Invoice]) -> Invoice:
    """Run a decision again (from a fresh read) when the portfolio or the buyer's exposure of a tenant
    with a concentration limit changed between its read and its commit; the last loss is a 409."""
    for _ in range(RACE_ATTEMPTS - 1):
        try:
            return decide()
        except ConcentrationRaced:
            continue
    return decide()


def _events_for(
    invoice: Invoice, transitions: list[Transition], actor: Actor, announce: Announces[Invoice]
) -> list[DomainEvent]:
    """One event per transition, named after the status reached (invoice.financed...); a payment also
    announces itself, and a signature that does not yet approve announces `invoice.signed`."""
    events = []
    for transition in transitions:
        if transition.action == Action.RECORD_PAYMENT:
            events.append(announce(rules.PAYMENT_RECEIVED, actor, invoice))
        if transition.to_status != transition.from_status:
            events.append(announce(rules.REACHED[transition.to_status], actor, invoice))
        elif transition.action == Action.SIGN:
            events.append(announce(rules.SIGNED, actor, invoice))
    return events


def age_receivables(
    today: date, store: InvoiceStore, tenant_settings: Settings, *, announce: Announces[Invoice]
) -> dict[str, int]:
    """The daily job: overdue after the grace period, late fees, default after `default_after_days`.

    Reads only financed and overdue invoices due before today (a sparse index across tenants); each
    change is a versioned transaction, so running twice on one day changes nothing the second time.
    """
    counts = {"seen": 0, "overdue": 0, "defaulted": 0, "accrued": 0}
    settings_by_tenant: dict[str, Any] = {}
    moment = now()
    for invoice in store.due_on_or_before(today):
        counts["seen"] += 1
        settings = settings_by_tenant.get(invoice.tenant_id) or settings_by_tenant.setdefault(
            invoice.tenant_id, tenant_settings.get(invoice.tenant_id)
        )
        aged, transitions = rules.age(
            invoice,
            today=today,
            now=moment,
            grace_days=settings.grace_days,
            default_after_days=settings.default_after_days,
            late_rate=settings.late_fee_rate_percentage,
        )
        if aged is invoice:
            continue
        actor = Actor(
            tenant_id=invoice.tenant_id,
            subject="system:ageing",
            scopes=frozenset(),
            correlation_id=new_id("job"),
        )
        events = _events_for(aged, transitions, actor, announce) or [
            announce(rules.LATE_FEES_ACCRUED, actor, aged)
        ]
        store.move(aged, invoice, transitions, actor, events)
        for transition in transitions:
            counts[transition.to_status.value] += 1
        counts["accrued"] += int(not transitions)
    return counts
