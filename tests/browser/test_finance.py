"""The supplier's hosted financing page in Chromium: what a connect token (and a session token) open."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Browser, Tenant

CREDIT_LINE = {
    "total_amount": 50_000_000,
    "currency": "USD",
    "pricing_plans": [
        {
            "advance_rate_percentage": 9000,
            "fee_percentage": 250,
            "repayment_type": "FIXED_DURATION",
            "repayment_duration_days": 60,
        }
    ],
}


def pushed(tenant: Tenant, number: str, amount: int) -> dict:
    """A tenant with a credit line pushes one draft invoice: the push's connect and session tokens."""
    supplier, buyer = tenant.companies()
    limit = tenant.send(
        "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 200000, "currency": "usd"}
    )
    tenant.send("POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 200000})
    tenant.send("PUT", "/v1/financing_offers", CREDIT_LINE)
    invoice = tenant.invoice(supplier, buyer, number, amount, submit=False)
    return tenant.send(
        "POST", "/v1/financing_invoices", {"invoices": [{"id": invoice["id"], "type": "receivable"}]}
    )


def test_the_supplier_sees_its_offer_and_what_it_receives_and_repays(browser: Browser, stack):
    push = pushed(Tenant(stack), "INV-HOSTED-1", 88000)
    page = browser.open(
        f"/finance/?connect_token={push['connect_token']}&session_token={push['session_token']}"
    )
    offer = page.get_by_role("region", name="Your offer")
    expect(offer).to_contain_text("$500,000.00")  # the credit line, from integer minor units
    expect(offer.get_by_role("table", name="Pricing plans")).to_contain_text("90%")
    expect(offer.get_by_role("table", name="Pricing plans")).to_contain_text("2.5%")
    row = page.get_by_role("row", name="INV-HOSTED-1")
    # The API's amounts, formatted: advance 90% of 88,000.00, fee 2.5% of the advance, repayment their sum
    for shown in ("$88,000.00", "$79,200.00", "$1,980.00", "$81,180.00", "new"):
        expect(row).to_contain_text(shown)
    # The tokens left the address bar (and so any Referer and the history) as soon as the page read them
    assert "token" not in page.url
    page.get_by_role("button", name="Refresh status").click()
    expect(page.get_by_role("row", name="INV-HOSTED-1")).to_contain_text("$79,200.00")
    assert browser.axe_violations() == []
    assert not browser.problems, browser.problems


def test_the_connect_token_opens_nothing_of_the_lender(browser: Browser, stack):
    push = pushed(Tenant(stack), "INV-HOSTED-2", 1000)
    page = browser.open(f"/finance/?connect_token={push['connect_token']}")
    expect(page.get_by_role("region", name="Your offer")).to_be_visible()
    status = page.evaluate(
        "async (token) => (await fetch('/v1/invoices', {headers: {Authorization: `Bearer ${token}`}})).status",
        push["connect_token"],
    )
    assert status == 401


def test_another_business_session_and_a_bad_link_are_refused_in_plain_words(browser: Browser, stack):
    ours, theirs = pushed(Tenant(stack), "OURS-H", 1000), pushed(Tenant(stack), "THEIRS-H", 2000)
    page = browser.open(
        f"/finance/?connect_token={ours['connect_token']}&session_token={theirs['session_token']}"
    )
    expect(page.get_by_role("alert")).to_contain_text("does not allow")
    assert "THEIRS-H" not in page.content() and "$2,000.00" not in page.content()

    page = browser.open(f"/finance/?connect_token={ours['connect_token']}x")
    expect(page.get_by_role("alert")).to_contain_text("not valid or has expired")
    assert "$500,000.00" not in page.content()
