"""The lender's console in Chromium: sign in locally, decide a buyer limit, take an invoice from submitted to
funded to repaid, see the API's errors in plain words, and never see another tenant's data."""

from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import Browser, Tenant
from tests.integration.receivable_fixtures import receivable


def sign_in(browser: Browser, tenant: str):
    page = browser.open("/console/")
    expect(page.get_by_role("heading", name="Local development sign-in")).to_be_visible()
    page.get_by_label("Tenant").fill(tenant)
    page.get_by_role("button", name="Sign in (local development)").click()
    expect(page.get_by_text(f"Tenant {tenant}")).to_be_visible()
    return page


def act(page, action: str, **fields: str) -> None:
    page.get_by_role("button", name=action, exact=True).click()
    form = page.get_by_role("form", name=action)
    for label, value in fields.items():
        control = form.get_by_label(label.replace("_", " "))
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    form.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.get_by_role("status")).to_contain_text(f"{action}: done")


def status_of(page) -> str:
    return page.locator("[data-status]").get_attribute("data-status")


def test_a_lender_takes_an_invoice_from_submitted_to_funded_to_repaid(browser: Browser, stack):
    tenant = Tenant(stack)
    supplier, buyer = tenant.companies()
    tenant.send(
        "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 100000, "currency": "usd"}
    )
    page = sign_in(browser, tenant.id)

    # Given a pending buyer limit, when the lender approves it in the console, then the API holds it approved
    page.get_by_role("button", name="Buyer limits").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Limit approved")
    assert tenant.send("GET", f"/v1/buyer_limits?company={buyer['id']}")["data"][0]["status"] == "approved"

    # Given a submitted invoice, the queue of new invoices shows it
    invoice = tenant.invoice(supplier, buyer, "INV-WEB-1", 88000)
    page.get_by_role("button", name="Invoices").click()
    page.get_by_role("button", name="Open invoice INV-WEB-1").click()
    expect(page.get_by_role("heading", name="Invoice INV-WEB-1")).to_be_visible()
    assert status_of(page) == "new"
    page.get_by_role("button", name="Get a download link").click()
    link = page.get_by_role("link", name="Open INV-WEB-1.pdf")
    assert invoice["invoice_document"]["id"] in link.get_attribute(
        "href"
    )  # a presigned URL of the tenant's file

    act(page, "Request signatures")
    assert status_of(page) == "requesting_signatures"
    act(page, "Record a signature", Signatory="Acme Supplies (supplier): Ana Silva")
    act(page, "Record a signature", Signatory="Bolt Buyers (buyer): Ana Silva")
    assert status_of(page) == "approved"

    # Before funding, the lender sees the server's preview: what the funding then books
    page.get_by_role("button", name="Fund", exact=True).click()
    page.get_by_role("button", name="Preview the funding").click()
    preview = page.get_by_role("region", name="Funding preview")
    expect(preview).to_contain_text("$79,200.00")
    expect(preview).to_contain_text("$81,180.00")
    assert status_of(page) == "approved"  # a preview funds nothing
    act(page, "Fund")
    assert status_of(page) == "financed"
    financing = page.get_by_role("region", name="Financing")
    expect(financing).to_contain_text("$79,200.00")  # the API's advance: 90% of 88,000.00
    expect(financing).to_contain_text("$1,980.00")
    assert browser.axe_violations() == []

    # An amount above what is outstanding: the API's 422 in plain words, nothing recorded
    page.get_by_role("button", name="Record a payment", exact=True).click()
    form = page.get_by_role("form", name="Record a payment")
    form.get_by_label("Amount").fill("90000")
    form.get_by_label("Reference").fill("wire-1")
    form.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.get_by_role("alert")).to_contain_text("Some values are not accepted")
    assert tenant.send("GET", f"/v1/invoices/{invoice['id']}")["payments"] == []

    act(page, "Record a payment", Amount="88000", Reference="wire-1")
    assert status_of(page) == "repaid"
    expect(page.get_by_role("region", name="Financing")).to_contain_text("$6,820.00")  # the supplier's rebate
    history = page.get_by_role("list").last
    expect(history).to_contain_text("fund (approved → financed)")
    expect(history).to_contain_text("→ repaid")
    assert tenant.send("GET", f"/v1/invoices/{invoice['id']}")["status"] == "repaid"

    # The portfolio draws the ledger reports
    page.get_by_role("button", name="Portfolio").click()
    expect(page.get_by_role("heading", name=re.compile("Exposure by buyer, USD"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Drawn and overdue"))).to_be_visible()
    # Funded and collected by month: this month's row holds the advance and the buyer's payment
    expect(page.get_by_role("img", name="Funded and collected by month (USD)")).to_be_visible()
    volume = page.get_by_role("table", name="Funded and collected by month (USD)")
    rows = volume.get_by_role("row")
    expect(rows).to_have_count(13)  # the heading and the last 12 months, zeros where nothing moved
    expect(rows.last.get_by_role("cell")).to_have_text(["$79,200.00", "$88,000.00"])
    expect(rows.nth(1).get_by_role("cell")).to_have_text(["$0.00", "$0.00"])
    assert browser.axe_violations() == []
    assert not browser.problems, browser.problems


def test_an_action_the_status_no_longer_allows_is_explained(browser: Browser, stack):
    tenant = Tenant(stack)
    supplier, buyer = tenant.companies()
    limit = tenant.send(
        "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 5000, "currency": "usd"}
    )
    tenant.send("POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 5000})
    invoice = tenant.invoice(supplier, buyer, "INV-RACE", 1000)
    page = sign_in(browser, tenant.id)
    page.get_by_role("button", name="Open invoice INV-RACE").click()
    # Someone else declines it while the lender looks at it
    tenant.send("POST", f"/v1/invoices/{invoice['id']}/decline", {"reason": "duplicate"})
    page.get_by_role("button", name="Request signatures", exact=True).click()
    page.get_by_role("form", name="Request signatures").get_by_role("button").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not possible now")
    expect(alert).to_contain_text("declined")


def test_another_tenants_invoices_never_appear(browser: Browser, stack):
    ours, theirs = Tenant(stack), Tenant(stack)
    for tenant, number in ((ours, "OURS-1"), (theirs, "THEIRS-1")):
        supplier, buyer = tenant.companies()
        limit = tenant.send(
            "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 9000, "currency": "usd"}
        )
        tenant.send("POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 9000})
        tenant.invoice(supplier, buyer, number, 1000)
    page = sign_in(browser, ours.id)
    page.get_by_label("Status").select_option(label="every status")
    expect(page.get_by_role("button", name="Open invoice OURS-1")).to_be_visible()
    page.get_by_role("button", name="Buyer limits").click()
    expect(page.get_by_role("table", name="Buyer limits, page 1")).to_be_visible()
    page.get_by_role("button", name="Invoices").click()
    expect(page.get_by_role("button", name="Open invoice OURS-1")).to_be_visible()
    assert "THEIRS-1" not in page.content()
    assert len(page.get_by_role("button", name=re.compile("^Open invoice")).all()) == 1


def test_the_queue_pages_with_the_apis_cursors(browser: Browser, stack):
    tenant = Tenant(stack)
    supplier, buyer = tenant.companies()
    limit = tenant.send(
        "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 90000, "currency": "usd"}
    )
    tenant.send("POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 90000})
    numbers = [f"PAGE-{n:02d}" for n in range(12)]
    for number in numbers:
        tenant.invoice(supplier, buyer, number, 100)
    page = sign_in(browser, tenant.id)
    expect(page.get_by_role("button", name=re.compile("^Open invoice"))).to_have_count(10)
    assert browser.axe_violations() == []  # the queue with its rows and cursor buttons
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_role("button", name=re.compile("^Open invoice"))).to_have_count(2)
    expect(page.get_by_role("button", name="Next page")).to_have_count(0)
    shown = [page.get_by_role("table").inner_text()]
    page.get_by_role("button", name="Previous page").click()
    expect(page.get_by_role("button", name=re.compile("^Open invoice"))).to_have_count(10)
    shown.append(page.get_by_role("table").inner_text())
    assert all(sum(number in text for text in shown) == 1 for number in numbers)


def test_the_console_passes_axe_and_works_from_the_keyboard(browser: Browser, stack):
    page = browser.open("/console/")
    expect(page.get_by_role("heading", name="Local development sign-in")).to_be_visible()
    assert browser.axe_violations() == []
    tenant = Tenant(stack)
    # Tab reaches the tenant field, then every scope, then the sign-in button; Enter signs in
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "tenant"
    page.keyboard.press("Control+A")
    page.keyboard.type(tenant.id)
    for _ in range(7):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign in (local development)"
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Tenant {tenant.id}")).to_be_visible()
    expect(page.get_by_role("heading", name="Invoice queue")).to_be_visible()
    assert browser.axe_violations() == []
    assert not browser.problems, browser.problems


def test_the_credit_line_and_the_webhook_subscriptions_are_shown(browser: Browser, stack):
    tenant = Tenant(stack)
    tenant.send(
        "PUT",
        "/v1/financing_offers",
        {
            "total_amount": 25_000_000,
            "currency": "USD",
            "pricing_plans": [
                {"advance_rate_percentage": 8500, "fee_percentage": 300, "repayment_type": "FIXED_DATE"}
            ],
        },
    )
    tenant.send(
        "POST", "/v1/webhook_subscriptions", {"url": "http://localhost:9/hooks", "event_types": ["*"]}
    )
    page = sign_in(browser, tenant.id)
    page.get_by_role("button", name="Credit line").click()
    line = page.get_by_role("region", name="Credit line")
    expect(line).to_contain_text("$250,000.00")
    expect(line.get_by_role("table", name="Pricing plans")).to_contain_text("85%")
    page.get_by_role("button", name="Webhooks").click()
    expect(page.get_by_role("row", name="http://localhost:9/hooks")).to_contain_text("yes")
    page.get_by_role("button", name="Failed deliveries to http://localhost:9/hooks").click()
    expect(page.get_by_role("status")).to_contain_text("No failed delivery to http://localhost:9/hooks")
    assert browser.axe_violations() == []
    assert not browser.problems, browser.problems


def _dead_lettered(stack, tenant: Tenant, number: str) -> None:
    """As after the registrar failed every attempt the queue allows: PENDING with its attempts spent."""
    from datetime import UTC, datetime

    from financing.adapters.credit_rights import _to_item
    from financing.adapters.dynamo import to_item
    from financing.domain.credit_rights import REGISTRATION_MAX_ATTEMPTS, Receivable

    moment = datetime.now(UTC)
    body = receivable(internal_number=number, holding_number=f"{uuid.uuid4().int % 10**6}.3")
    stuck = Receivable(
        tenant_id=tenant.id,
        internal_number=number,
        request=body,
        face_value=49923,
        attempts=REGISTRATION_MAX_ATTEMPTS,
        last_error="registrar unavailable",
        created=moment,
        updated=moment,
    )
    table = stack.health()["resources"]["EntitiesTable"]
    stack.client("dynamodb").put_item(TableName=table, Item=to_item(_to_item(stuck)))


def test_receivables_show_their_registration_and_a_dead_lettered_one_is_retried(browser: Browser, stack):
    tenant, other = Tenant(stack), Tenant(stack)
    for owner, number in ((tenant, "WEB-R-1"), (other, "WEB-R-OTHER")):
        reply = stack.request("POST", "/v1/credit-rights", receivable(internal_number=number), owner.auth)
        assert reply.status == 202, reply.body
    _dead_lettered(stack, tenant, "WEB-R-DLQ")
    page = sign_in(browser, tenant.id)
    page.get_by_role("button", name="Receivables").click()
    section = page.get_by_role("region", name="Receivables")
    expect(section.get_by_role("row", name=re.compile("WEB-R-1"))).to_be_visible()
    expect(section).not_to_contain_text("WEB-R-OTHER")
    stuck = section.get_by_role("row", name=re.compile("WEB-R-DLQ"))
    expect(stuck).to_contain_text("Dead-lettered")
    expect(section.get_by_role("button", name="Retry registration of WEB-R-1")).to_have_count(0)
    section.get_by_label("Only the dead-lettered on this page").check()
    expect(stuck).to_be_visible()
    expect(section.get_by_role("row", name=re.compile("WEB-R-1"))).to_have_count(0)
    section.get_by_label("Only the dead-lettered on this page").uncheck()
    expect(section.get_by_role("row", name=re.compile("WEB-R-1"))).to_be_visible()
    assert browser.axe_violations() == []
    stuck.get_by_role("button", name="Retry registration of WEB-R-DLQ").click()
    expect(page.get_by_role("status")).to_contain_text("Registration of WEB-R-DLQ queued again")
    expect(stuck).not_to_contain_text("Dead-lettered")
    # The worker registers it anew: each refresh reads the list again until the registrar has answered.
    deadline = time.monotonic() + 20
    while "CONFIRMED" not in stuck.inner_text() and time.monotonic() < deadline:
        with page.expect_response(lambda reply: "/v1/credit-rights?" in reply.url):
            page.get_by_role("button", name="Receivables").click()
    expect(stuck).to_contain_text("CONFIRMED")
    assert browser.axe_violations() == []
    assert not browser.problems, browser.problems
