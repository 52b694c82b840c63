"""Screenshots of both pages for the README (`make screenshots` writes docs/screenshots; otherwise a scratch
folder, so the run still proves the pages render what the README shows)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import ROOT, Browser, Tenant
from tests.browser.test_console import act, sign_in
from tests.browser.test_finance import pushed


def folder(tmp_path: Path) -> Path:
    chosen = os.environ.get("SCREENSHOTS_DIR")
    target = ROOT / chosen if chosen else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target


def test_screenshots_of_the_console_and_the_hosted_page(browser: Browser, stack, tmp_path: Path):
    target = folder(tmp_path)
    tenant = Tenant(stack, "acme-demo-" + os.urandom(2).hex())
    push = pushed(tenant, "INV-2026-0042", 88000)
    supplier, buyer = tenant.companies()
    for number, amount in (("INV-2026-0044", 15000), ("INV-2026-0045", 4200)):
        tenant.invoice(supplier, buyer, number, amount, submit=False)
    page = browser.open(
        f"/finance/?connect_token={push['connect_token']}&session_token={push['session_token']}"
    )
    expect(page.get_by_role("row", name="INV-2026-0042")).to_contain_text("$79,200.00")
    page.screenshot(path=target / "finance.png", full_page=True)
    for number in ("INV-2026-0044", "INV-2026-0045"):
        page.get_by_role("checkbox", name=number).check()
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("row", name="Total")).to_contain_text("$17,280.00")
    page.screenshot(path=target / "finance-review.png", full_page=True)

    supplier, buyer = tenant.companies()
    limit = tenant.send(
        "POST", "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 90000, "currency": "usd"}
    )
    tenant.send("POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 90000})
    tenant.invoice(supplier, buyer, "INV-2026-0043", 12500)
    page = sign_in(browser, tenant.id)
    page.get_by_role("button", name="Open invoice INV-2026-0043").click()
    act(page, "Request signatures")
    act(page, "Record a signature", Signatory="Acme Supplies (supplier): Ana Silva")
    act(page, "Record a signature", Signatory="Bolt Buyers (buyer): Ana Silva")
    act(page, "Fund")
    page.get_by_role("button", name="Record a payment", exact=True).click()
    page.screenshot(path=target / "console-invoice.png", full_page=True)
    page.get_by_role("button", name="Portfolio").click()
    expect(page.get_by_role("img", name=re.compile("Drawn and overdue"))).to_be_visible()
    page.screenshot(path=target / "console-portfolio.png", full_page=True)
    assert all(
        (target / name).stat().st_size > 10_000
        for name in ("finance.png", "finance-review.png", "console-invoice.png", "console-portfolio.png")
    )
