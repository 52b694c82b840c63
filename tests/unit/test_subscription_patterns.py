"""The README's EventBridge patterns for common needs, judged by EventBridge's matcher (moto's) on events of the
platform's shape: each matches what it promises and nothing else."""

import json
from pathlib import Path

import pytest
from moto.events.models import EventPattern

README = Path(__file__).resolve().parents[2] / "README.md"
NO_REPLAYS = {"replay-name": [{"exists": False}]}


def readme_patterns() -> dict[str, dict]:
    section = README.read_text().split("\n### Subscribe to events\n", 1)[1].split("\n## ", 1)[0]
    patterns = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 2 and cells[1].startswith("`{"):
            patterns[cells[0]] = json.loads(cells[1].strip("`"))
    return patterns


def event(detail_type: str, *, tenant="acme", currency="usd", amount=1000, first_payment=900, **envelope):
    invoice = {"id": "inv_1", "object": "invoice", "currency": currency, "amount": amount}
    invoice["financing"] = {"first_payment": first_payment}
    detail = {
        "id": "evt_1",
        "type": detail_type,
        "tenant_id": tenant,
        "correlation_id": "c",
        "object": invoice,
    }
    return {
        "version": "0",
        "id": "e1",
        "detail-type": detail_type,
        "source": "invoice-financing",
        "account": "123456789012",
        "time": "2026-12-06T07:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
        **envelope,
    }


CASES = {
    "every invoice event of one tenant": (
        [event("invoice.financed"), event("invoice.created"), event("invoice.payment_received")],
        [event("company.created"), event("invoice.financed", tenant="globex")],
    ),
    "one event type": ([event("invoice.financed")], [event("invoice.repaid"), event("invoice.approved")]),
    "registration outcomes": (
        [event("credit_rights_registration_success-1"), event("credit_rights_registration_failure-1")],
        [event("credit_rights.registration_attempt_failed"), event("credit_rights.registration_requested")],
    ),
    "fundings above 100,000.00 dollars": (
        [event("invoice.financed", amount=100000.01), event("invoice.financed", amount=2500000)],
        [
            event("invoice.financed", amount=100000),
            event("invoice.financed", amount=99999.99),
            event("invoice.financed", amount=200000, currency="brl"),
            event("invoice.repaid", amount=200000),
        ],
    ),
    "advances of at least 50,000.00 reais": (
        [event("invoice.financed", currency="brl", first_payment=50000)],
        [
            event("invoice.financed", currency="brl", first_payment=49999.99),
            event("invoice.financed", currency="usd", first_payment=90000),
        ],
    ),
}


def test_the_readme_lists_a_pattern_for_each_need():
    assert set(readme_patterns()) == set(CASES)


@pytest.mark.parametrize("need", sorted(CASES))
def test_each_pattern_matches_what_it_promises_and_nothing_else(need):
    pattern = EventPattern.load(json.dumps(readme_patterns()[need]))
    matching, other = CASES[need]
    assert all(pattern.matches_event(e) for e in matching)
    assert not any(pattern.matches_event(e) for e in other)


@pytest.mark.parametrize("need", sorted(CASES))
def test_adding_the_replay_condition_leaves_out_replayed_events_only(need):
    pattern = EventPattern.load(json.dumps({**readme_patterns()[need], **NO_REPLAYS}))
    matching, _ = CASES[need]
    assert all(pattern.matches_event(e) for e in matching)
    assert not any(pattern.matches_event({**e, "replay-name": "r1"}) for e in matching)
