"""Races over HTTP on the local stack: parallel retries under one Idempotency-Key, and racing transitions
on one invoice. (Racing fundings against one buyer limit: test_invoices_http.)"""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from tests.e2e.test_invoices_http import AUTH, approved_invoice, setup_parties

pytestmark = pytest.mark.e2e


def test_twenty_parallel_posts_with_one_idempotency_key_create_one_company_and_answer_alike(stack):
    name = f"Idem {uuid.uuid4().hex[:8]}"
    headers = {**AUTH, "Idempotency-Key": f"k-{uuid.uuid4()}"}
    body = {"name": name, "address": {"country_code": "GB"}}
    with ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(lambda _: stack.request("POST", "/v1/companies", body, headers), range(20)))
    assert {r.status for r in replies} == {201}, [(r.status, r.body) for r in replies]
    assert len({r.body for r in replies}) == 1, "every reply is the first reply"
    listed = stack.request("GET", "/v1/companies?limit=100", headers=AUTH).json()["data"]
    assert [c["id"] for c in listed if c["name"] == name] == [replies[0].json()["id"]]


def test_of_ten_racing_fundings_of_one_invoice_exactly_one_wins(stack):
    supplier, buyer = setup_parties(stack, limit=100_000)
    invoice = approved_invoice(
        stack,
        supplier,
        buyer,
        amount=1000,
        reference=f"RACE-{uuid.uuid4().hex[:6]}",
        due=date.today() + timedelta(30),
    )
    with ThreadPoolExecutor(10) as pool:
        replies = list(
            pool.map(
                lambda _: stack.request("POST", f"/v1/invoices/{invoice['id']}/fund", {}, AUTH), range(10)
            )
        )
    assert sorted(r.status for r in replies) == [200] + [409] * 9, [(r.status, r.body) for r in replies]
    history = stack.request("GET", f"/v1/invoices/{invoice['id']}/history?limit=100", headers=AUTH).json()[
        "data"
    ]
    assert [h["action"] for h in history].count("fund") == 1
    limit = stack.request("GET", f"/v1/buyer_limits?company={buyer['id']}", headers=AUTH).json()["data"][0]
    assert limit["available_limit"] == 100_000 - 900  # one advance of 90%, counted once
