"""The pages in a real headless Chromium (Debian's package, driven by Playwright) against the local stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from local.token import mint
from tests.e2e.conftest import LocalStackProcess, launch

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e
# A function's first call imports it (cold start), on a machine the whole suite shares: generous waits.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    if not (ROOT / "web" / "dist" / "console" / "index.html").is_file() or not AXE.is_file():
        pytest.fail("the web pages are not built: make web")
    with launch(tmp_path_factory.mktemp("local-stack")) as running:
        yield running


# Per file, not per session: the sync driver keeps an event loop running in the worker's thread while it is
# open, and a later file on the same worker whose code calls asyncio.run (the webhook deliverer) would fail.
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator:
    if not CHROMIUM.is_file():
        pytest.fail("Chromium is missing: make browser (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@dataclass
class Browser:
    """One page of a fresh Chromium profile, with what it asked of other origins and what it complained of."""

    page: object
    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def open(self, path: str):
        self.page.goto(self.origin + path)
        return self.page

    def axe_violations(self) -> list[dict]:
        # Evaluated through the DevTools protocol, which the page's content security policy does not govern.
        self.page.evaluate(AXE.read_text())
        return self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )


@pytest.fixture
def browser(playwright_driver, stack: LocalStackProcess, tmp_path: Path) -> Iterator[Browser]:
    context = playwright_driver.chromium.launch_persistent_context(
        user_data_dir=str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1280, "height": 900},
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(20_000)
    seen = Browser(page, stack.api_url)
    origin = urlsplit(stack.api_url).netloc

    def only_the_stack(route) -> None:
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            seen.foreign_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_stack)
    # An API error the test provokes is logged by Chromium as a failed load: the page shows it, no problem.
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource: the server responded with a status of 4")
            and seen.problems.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: seen.problems.append(str(e)))
    try:
        yield seen
    finally:
        context.close()
    assert not seen.foreign_requests, f"the page fetched from elsewhere: {seen.foreign_requests}"


class Tenant:
    """A tenant's supplier platform, set up over the API: what the pages are then used on."""

    def __init__(self, stack: LocalStackProcess, name: str | None = None):
        self.stack = stack
        self.id = name or f"web-{uuid.uuid4().hex[:6]}"
        self.auth = {"Authorization": f"Bearer {mint(self.id)}"}

    def send(self, method: str, path: str, body=None) -> dict:
        reply = self.stack.request(method, path, body, self.auth)
        assert reply.status in (200, 201), (path, reply.status, reply.body)
        return reply.json()

    def companies(self) -> tuple[dict, dict]:
        contact = [{"first_name": "Ana", "last_name": "Silva", "is_signatory": True}]
        supplier = self.send(
            "POST",
            "/v1/companies",
            {"name": "Acme Supplies", "address": {"country_code": "GB"}, "contacts": contact},
        )
        buyer = self.send(
            "POST",
            "/v1/companies",
            {"name": "Bolt Buyers", "address": {"country_code": "GB"}, "contacts": contact},
        )
        return supplier, buyer

    def invoice(self, supplier: dict, buyer: dict, number: str, amount: int, *, submit: bool = True) -> dict:
        document = self.send(
            "POST", "/v1/documents", {"name": f"{number}.pdf", "purpose": "invoice", "file_format": "pdf"}
        )
        bucket = self.stack.health()["resources"]["DocumentsBucket"]
        self.stack.client("s3").put_object(
            Bucket=bucket, Key=f"{self.id}/{document['id']}", Body=b"%PDF-1.4 web"
        )
        invoice = self.send(
            "POST",
            "/v1/invoices",
            {
                "supplier": supplier["id"],
                "buyer": buyer["id"],
                "invoice_number": number,
                "client_reference_id": number,
                "invoice_document": document["id"],
                "amount": amount,
                "currency": "usd",
                "type_of_goods": ["commodities"],
                "issue_date": (date.today() - timedelta(days=3)).isoformat(),
                "due_date": (date.today() + timedelta(days=30)).isoformat(),
                "description": number,
            },
        )
        if submit:
            self.send("POST", f"/v1/invoices/{invoice['id']}/submit", {})
        return invoice
