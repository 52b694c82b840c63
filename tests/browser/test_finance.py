"""The supplier's hosted financing page in Chromium: what a connect token (and a session token) open."""

from __future__ import annotations

from decimal import Decimal

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


def money(minor: int) -> str:
    """Integer minor units as the page shows dollars (exact: Decimal, never a float)."""
    return f"${Decimal(minor).scaleb(-2):,.2f}"


def test_the_supplier_picks_two_of_three_invoices_reviews_the_quote_and_confirms(browser: Browser, stack):
    tenant = Tenant(stack)
    supplier, buyer = tenant.companies()
    limit = tenant.send(
        "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 500000, "currency": "usd"}
    )
    tenant.send("POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 500000})
    tenant.send("PUT", "/v1/financing_offers", CREDIT_LINE)
    drafts = [
        tenant.invoice(supplier, buyer, number, amount, submit=False)
        for number, amount in (("PICK-1", 1000), ("PICK-2", 2345), ("PICK-3", 880))
    ]
    connect = tenant.send("POST", "/v1/financing_tokens", {})["connect_token"]
    page = browser.open(f"/finance/?connect_token={connect}")

    choose = page.get_by_role("group", name="Invoices you can finance")
    for number in ("PICK-1", "PICK-2", "PICK-3"):
        expect(choose.get_by_role("checkbox", name=number)).not_to_be_checked()
    choose.get_by_role("checkbox", name="PICK-1").check()
    choose.get_by_role("checkbox", name="PICK-3").focus()  # the keyboard ticks a box too
    page.keyboard.press("Space")
    expect(choose.get_by_role("checkbox", name="PICK-3")).to_be_checked()
    assert browser.axe_violations() == []
    page.get_by_role("button", name="Review").click()

    # The preview shows the server's quote, figure for figure (the page computes no money).
    picked = [{"id": drafts[n]["id"], "type": "receivable"} for n in (0, 2)]
    quoted = stack.request(
        "POST", "/v1/financing_connect/quote", {"invoices": picked}, {"Authorization": f"Bearer {connect}"}
    )
    assert quoted.status == 200, quoted.body
    quote = quoted.json()
    review = page.get_by_role("region", name="Review")
    for number, shown in zip(("PICK-1", "PICK-3"), quote["invoices"], strict=True):
        row = review.get_by_role("row", name=number)
        for key in ("total_amount", "advance_amount", "fee_amount", "repayment_amount"):
            expect(row).to_contain_text(money(shown[key]))
        expect(row).to_contain_text(shown["repayment_schedule"]["repayment_date"])
    total = review.get_by_role("row", name="Total")
    for key in ("advance_amount", "fee_amount", "repayment_amount", "repayment_date"):
        expect(total).to_contain_text(
            quote["total"][key] if key == "repayment_date" else money(quote["total"][key])
        )
    assert "PICK-2" not in review.inner_text()
    assert browser.axe_violations() == []

    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Sent to your lender: 2 invoice(s)")
    sent = page.get_by_role("region", name="Invoices sent for financing")
    for number in ("PICK-1", "PICK-3"):
        expect(sent.get_by_role("row", name=number)).to_contain_text("new")
    # PICK-2 is still to choose; the two confirmed are not offered again.
    expect(page.get_by_role("group", name="Invoices you can finance").get_by_role("checkbox")).to_have_count(
        1
    )
    assert browser.axe_violations() == []

    # The lender's side sees them in its queue (submitted, not funded), and the page follows their status.
    queue = tenant.send("GET", "/v1/invoices?status=new")
    assert sorted(i["id"] for i in queue["data"]) == sorted(i["id"] for i in picked)
    tenant.send("POST", f"/v1/invoices/{drafts[0]['id']}/decline", {"reason": "not this one"})
    page.get_by_role("button", name="Refresh status").click()
    expect(sent.get_by_role("row", name="PICK-1")).to_contain_text("rejected")

    # A second confirmation: the page follows both requests.
    page.get_by_role("checkbox", name="PICK-2").check()
    page.get_by_role("button", name="Review").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Sent to your lender: 1 invoice(s)")
    for number, status in (("PICK-1", "rejected"), ("PICK-3", "new"), ("PICK-2", "new")):
        expect(sent.get_by_role("row", name=number)).to_contain_text(status)
    expect(page.get_by_role("group", name="Invoices you can finance")).to_have_count(0)
    assert browser.axe_violations() == []
    assert not browser.problems, browser.problems


def test_reviewing_nothing_or_an_invoice_no_longer_a_draft_is_said_in_plain_words(browser: Browser, stack):
    tenant = Tenant(stack)
    supplier, buyer = tenant.companies()
    limit = tenant.send(
        "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 500000, "currency": "usd"}
    )
    tenant.send("POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 500000})
    tenant.send("PUT", "/v1/financing_offers", CREDIT_LINE)
    draft = tenant.invoice(supplier, buyer, "LATE-1", 1000, submit=False)
    connect = tenant.send("POST", "/v1/financing_tokens", {})["connect_token"]
    page = browser.open(f"/finance/?connect_token={connect}")
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick at least one invoice")
    page.get_by_role("checkbox", name="LATE-1").check()
    # Meanwhile the platform submits it: the quote is refused, in words, and nothing is shown to confirm.
    tenant.send("POST", f"/v1/invoices/{draft['id']}/submit", {})
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("alert")).to_contain_text("Not possible now")
    expect(page.get_by_role("button", name="Confirm")).to_have_count(0)
    assert not browser.problems, browser.problems
