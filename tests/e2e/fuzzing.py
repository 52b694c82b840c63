"""Contract fuzzing with schemathesis: the committed OpenAPI document (its links included) run against a local
stack by the schemathesis command line."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.json"
# Every check schemathesis has: zero 5xx; every answer as documented (status, content type, headers, body);
# every schema-valid request accepted and every schema-violating one refused; and the stateful ones.
CHECKS = ("all",)
# The stateful phase follows the document's links (create a company, limit it, approve, invoice it, submit,
# request signatures, sign, fund, pay...). What no link can carry there, objects made beforehand over HTTP
# (an uploaded document among them: an upload is not an API call), and values a random draw rarely makes
# valid together (an amount of at most two decimals, dates that let an invoice be submitted and funded) are
# drawn from the test's seeds most of the time (SEEDED_PROBABILITY) and generated otherwise: field -> the seeds'
# name. A hook sets them on schema-valid bodies, keeping a body valid as a whole (tests/e2e/fuzz_hooks.py).
SEEDED_FIELDS: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/v1/invoices"): {
        "supplier": "supplier",
        "buyer": "buyer",
        "invoice_document": "document",
        "amount": "amount",
        "currency": "currency",
        "issue_date": "issue_date",
        "due_date": "due_date",
    },
    ("POST", "/v1/invoices/{invoice_id}/fund"): {
        "disbursement_date": "today",
        "advance_rate_percentage": "advance_rate",
        "fee_percentage": "fee",
    },
    ("POST", "/v1/invoices/{invoice_id}/payments"): {"amount": "amount", "paid_date": "today"},
}
SEEDED_PROBABILITY = 0.9
# The lifecycle pass: a stateful-only run over the operations on the way from a draft to a funded and repaid
# invoice (with the Monite push, the hosted page it opens and the ledger's reading of what funding posted).
# Over the whole document a scenario's steps spread over ~200 links, and an action that ends an invoice's
# way (delete, decline) is as likely as the one that moves it on, so few scenarios get past a submission:
# here each step is one of a few actions, every one of which may move the invoice on. Those left out are
# exercised by the other passes.
LIFECYCLE = (
    "POST /v1/invoices",
    "POST /v1/invoices/{invoice_id}/submit",
    "POST /v1/invoices/{invoice_id}/request_signatures",
    "POST /v1/invoices/{invoice_id}/sign",
    "POST /v1/invoices/{invoice_id}/fund",
    "POST /v1/invoices/{invoice_id}/payments",
    "GET /v1/ledger/entries",
    "POST /v1/financing_invoices",
    "GET /v1/financing_connect",
)

# ---------------------------------------------------------------------------- what no schema can say
# The ONE reviewed list of rules the document cannot express: per operation, the fields (or, for refusals
# that name none, the error code or message) a schema-valid request may still be refused for, and why.
# Schemathesis accepts such a refusal (400, or Monite's 422) only on these operations, and the
# `refusals_name_only_reviewed_rules` check (tests/e2e/fuzz_hooks.py) fails any that names anything else.
CURSOR = "only its signature says whether this API issued the cursor for this listing and caller"
DECIMALS = "at most the currency's decimal places: JSON Schema's multipleOf is inexact on binary floats"
CHECK_DIGITS = "CPF/CNPJ check digits"
TODAY = "a date relative to today"
INVOICE_DRAFT = {
    "supplier": "existence: a company of the caller",
    "buyer": "existence: a company of the caller, other than the supplier (one field against another)",
    "invoice_document": "existence: an invoice document of the caller",
    "issue_date": f"{TODAY}: today or earlier",
    "due_date": "after the issue date: one field against another",
}
UNSCHEMATIZABLE: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/v1/companies"): {"invalid_cursor": CURSOR},
    ("GET", "/v1/buyer_limits"): {"invalid_cursor": CURSOR},
    ("GET", "/v1/invoices"): {"invalid_cursor": CURSOR},
    ("GET", "/v1/invoices/{invoice_id}/history"): {"invalid_cursor": CURSOR},
    ("GET", "/v1/webhook_subscriptions"): {"invalid_cursor": CURSOR},
    ("GET", "/v1/webhook_deliveries"): {"invalid_cursor": CURSOR},
    ("GET", "/v1/financing_invoices"): {
        "pagination_token": CURSOR,
        **dict.fromkeys(
            ("due_date__gt", "due_date__gte", "due_date__lt", "due_date__lte"),
            "a span between two parameters: due date bounds at most MAX_DUE_SPAN_YEARS (10) years apart",
        ),
    },
    ("POST", "/v1/buyer_limits"): {
        "requested_limit": DECIMALS,
        "company": "existence: a company of the caller",
    },
    ("POST", "/v1/buyer_limits/{buyer_limit_id}/approve"): {"total_limit": DECIMALS},
    ("POST", "/v1/invoices"): {"amount": DECIMALS, **INVOICE_DRAFT},
    ("PATCH", "/v1/invoices/{invoice_id}"): {
        "amount": DECIMALS,
        **INVOICE_DRAFT,
        "credit_rights_internal_number": "brl invoices only: the stored currency when the change names none",
    },
    ("POST", "/v1/invoices/{invoice_id}/sign"): {"contact": "existence: a signatory contact of the party"},
    ("POST", "/v1/invoices/{invoice_id}/payments"): {
        "amount": DECIMALS,
        "payment_exceeds_outstanding": "at most what the buyer still owes: a value against the invoice's state",
    },
    ("POST", "/v1/companies"): {"tax_id": f"{CHECK_DIGITS} when country_code is BR"},
    ("PATCH", "/v1/companies/{company_id}"): {
        "tax_id": f"{CHECK_DIGITS} when country_code is BR",
        "contacts.id": "existence: a contact the company has",
    },
    ("PUT", "/v1/settings"): {
        "institution_cnpj": CHECK_DIGITS,
        **dict.fromkeys(
            ("pricing.advance_rate_percentage", "pricing.fee_percentage"),
            "one field against another: the claim, advance x (1 + fee), at most the invoice amount",
        ),
    },
    ("POST", "/v1/documents"): {
        "name": "printable characters only: which code points Unicode assigns and prints is not a pattern"
    },
    ("POST", "/v1/webhook_subscriptions"): {"url": "where the URL points: loopback, private or reserved"},
    ("PATCH", "/v1/webhook_subscriptions/{subscription_id}"): {
        "url": "where the URL points: loopback, private or reserved"
    },
    ("POST", "/v1/open_finance/consents"): {
        "customer_document": CHECK_DIGITS,
        "expiration_date_time": f"{TODAY}: must be in the future",
    },
    ("POST", "/v1/credit-rights"): {
        "debtor_document_number": CHECK_DIGITS,
        "lender_document_number": CHECK_DIGITS,
        "owner_document_number": CHECK_DIGITS,
        "issuing_date": f"{TODAY}: today or earlier",
        "lender_signing_date": f"{TODAY}: today or earlier",
        "maturity_date": f"{TODAY}: today or later",
        "face_value": DECIMALS,
        "credit_operations": "one field against others: the operations' values sum to at most invoice_total_value",
        "invoice_total_value": DECIMALS,
        "credit_operations.operation_value": DECIMALS,
        **dict.fromkeys(
            (
                "credit_rights_receivable_type",
                "payment_method",
                "payment_status",
                "collateral_type",
                "ibge_code",
                "invoice_number",
                "invoice_serie",
                "recorder_account",
            ),
            "an integer code written without a fraction: Pismo refuses 1.0, which JSON Schema cannot tell from 1",
        ),
    },
}
REFUSALS = ("400", "422")
# Checks the API cannot pass by design, each with its reason (reviewed like UNSCHEMATIZABLE).
EXCLUDED_CHECKS = {
    # API Gateway answers a method no route declares with its MISSING_AUTHENTICATION_TOKEN response, never
    # 405; the template renders it as the 404 `route_missing` (test_a_method_no_route_declares_gets_the_
    # gateways_404_not_a_501), so an undeclared method is answered like an unknown route.
    "unsupported_method": "API Gateway cannot answer 405 for a method no route declares",
}


def config_file(work_dir: Path, max_steps: int | None = None) -> Path:
    """A schemathesis configuration in which each operation of UNSCHEMATIZABLE may refuse valid data."""
    default = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
    lines = []
    for method, path in sorted(UNSCHEMATIZABLE):
        lines += [
            "[[operations]]",
            f'include-method = "{method}"',
            f"include-path = {json.dumps(path)}",
            f"checks.positive_data_acceptance.expected-statuses = {json.dumps([*default, *REFUSALS])}",
            "",
        ]
    # Values captured from responses are injected without regard to the receiving parameter's schema (a
    # core `inv_` id into Monite's UUID filter): they make schema-invalid requests that count as valid.
    lines += ["[phases.fuzzing.extra-data-sources]", "responses = false", ""]
    if max_steps:  # schemathesis walks 6 steps a scenario by default; a funded invoice is 7 links away
        lines += ["[phases.stateful]", f"max-steps = {max_steps}", ""]
    config = work_dir / "schemathesis.toml"
    config.write_text("\n".join(lines))
    return config


def with_examples(document: dict[str, Any], examples: dict[str, str]) -> dict[str, Any]:
    """Path parameters named in `examples` get that value as their example: the examples phase then reaches
    real objects, while fuzzing keeps generating arbitrary ids."""
    document = copy.deepcopy(document)
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in examples:
                    parameter["example"] = examples[parameter["name"]]
    return document


FUNDED = ("financed", "overdue", "repaid", "defaulted")


def reached(trace: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Per phase, from the hooks' trace (tests/e2e/fuzz_hooks.py): how many distinct invoices an answer
    showed in each status; how many Monite pushes and financing connect pages were answered; how many ledger
    reads filtered by an invoice already seen funded read its entries."""
    phases: dict[str, Counter[str]] = {}
    statuses: dict[str, dict[str, set[str]]] = {}
    for seen in trace:
        phase = str(seen.get("phase"))
        counts = phases.setdefault(phase, Counter())
        by_status = statuses.setdefault(phase, {})
        if 200 <= seen["code"] < 300:
            if seen["operation"] in ("POST /v1/financing_invoices", "GET /v1/financing_connect"):
                counts[seen["operation"]] += 1
            if seen.get("status"):
                by_status.setdefault(seen["status"], set()).add(seen["invoice"])
            funded = set().union(*(by_status.get(status, set()) for status in FUNDED))
            if seen.get("entries") and seen.get("invoice") in funded:
                counts["ledger read of a funded invoice"] += 1
        for status, invoices in by_status.items():
            counts[status] = len(invoices)
    return phases


@dataclass
class FuzzRun:
    returncode: int
    output: str
    seconds: float
    operations: int
    cases: int
    reached: dict[str, Counter[str]] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"{self.operations} operations, {self.cases} test cases, {self.seconds:.0f} s"]
        lines += [
            f"{phase}: " + ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
            for phase, counts in sorted(self.reached.items())
        ]
        return "\n".join(lines)


def run(
    api_url: str,
    token: str,
    work_dir: Path,
    *,
    max_examples: int,
    phases: str,
    examples: dict[str, str] | None = None,
    seeds: dict[str, list[Any]] | None = None,
    signatories: dict[str, str] | None = None,
    max_steps: int | None = None,
    max_time: int | None = None,
    seed: str | None = None,
    workers: int = 2,
    operations: tuple[str, ...] = (),
) -> FuzzRun:
    """One schemathesis run; `operations` ("METHOD path") limits it to those."""
    spec = work_dir / "openapi.fuzz.json"
    spec.write_text(json.dumps(with_examples(json.loads(DOCUMENT.read_text()), examples or {})))
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config_file(work_dir, max_steps)),
        "run",
        str(spec),
        "--url",
        api_url,
        "--checks",
        ",".join(CHECKS),
        "--exclude-checks",
        ",".join(EXCLUDED_CHECKS),
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--workers",
        str(workers),
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(work_dir / "report"),
    ]
    for operation in operations:
        command += ["--include-name", operation]
    if max_time:
        command += ["--max-time", str(max_time)]
    # Pismo's registration has ~30 constrained fields: Hypothesis, drawing and discarding, may call that
    # filtering too much and stop the operation; a limit of the generator, not of the API.
    command += ["--suppress-health-check", "filter_too_much"]
    if seed:
        command += ["--seed", seed]
    trace = work_dir / "trace.jsonl"
    trace.unlink(missing_ok=True)
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=work_dir,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "SCHEMATHESIS_TELEMETRY": "false",
            "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks",
            "FUZZ_TRACE": str(trace),
            "FUZZ_TOKEN": token,
            "FUZZ_SEEDS": json.dumps(seeds or {}),
            "FUZZ_SIGNATORIES": json.dumps(signatories or {}),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        },
        check=False,
    )
    output = done.stdout + done.stderr
    operations = re.search(r"Tested:\s+(\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    return FuzzRun(
        done.returncode,
        output,
        time.monotonic() - started,
        int(operations.group(1)) if operations else 0,
        int(cases.group(1)) if cases else 0,
        reached([json.loads(line) for line in trace.read_text().splitlines()] if trace.exists() else []),
    )
