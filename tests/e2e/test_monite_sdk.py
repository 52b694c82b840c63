"""Monite's own Python SDK (`monite` on PyPI, generated from Monite's API definition) against the local
stack, configured as a Monite user would with only its base URL changed: every financing operation it has,
through the SDK itself."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from monite import Monite
from monite.core.api_error import ApiError
from monite.errors import UnauthorizedError, UnprocessableEntityError
from monite.types import FinancingPushInvoicesRequestInvoice

from financing.ids import as_uuid
from local.token import mint
from tests.e2e.test_financing_http import drafts

pytestmark = pytest.mark.e2e
TENANT = f"sdk-{uuid.uuid4().hex[:6]}"
VERSION = "2024-05-25"
LINE = {
    "total_amount": 50_000_00,
    "currency": "USD",
    "pricing_plans": [
        {"advance_rate_percentage": 8000, "fee_percentage": 300, "repayment_type": "FIXED_DATE"},
        {
            "advance_rate_percentage": 9000,
            "fee_percentage": 500,
            "repayment_type": "FIXED_DURATION",
            "repayment_duration_days": 45,
        },
    ],
}


def sdk(stack, token=None, entity=TENANT):
    return Monite(
        base_url=f"{stack.api_url}/v1",
        monite_version=VERSION,
        monite_entity_id=entity,
        token=token or mint(TENANT, "invoices:read invoices:write"),
    )


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@pytest.fixture(scope="module")
def world(stack):
    """Five drafts of the tenant (amounts 100000..100400 minor units); the first three pushed with the SDK."""
    lender = {"Authorization": f"Bearer {mint(TENANT)}", "x-monite-version": VERSION}
    client = sdk(stack)
    assert client.financing.get_financing_offers().business_status == "NEW"
    assert stack.request("PUT", "/v1/financing_offers", LINE, lender).status == 200
    created_from = datetime.now(UTC) - timedelta(seconds=1)
    made = drafts(stack, 5, tenant=TENANT, auth=lender)
    pushed = client.financing.post_financing_invoices(
        invoices=[
            FinancingPushInvoicesRequestInvoice(id=str(as_uuid(i["id"])), type="receivable") for i in made[:3]
        ]
    )
    return {"client": client, "made": made, "pushed": pushed, "created_from": created_from}


def ids(page):
    return [str(i.invoice_id) for i in page.data]


def uuids(invoices):
    return [str(as_uuid(i["id"])) for i in invoices]


def test_offers_parse_with_every_pricing_plan(world):
    offers = world["client"].financing.get_financing_offers()
    assert offers.business_status == "ONBOARDED"
    [offer] = offers.offers
    assert (offer.status, offer.total_amount, offer.currency) == ("CURRENT", 50_000_00, "USD")
    assert [(p.repayment_type, p.repayment_duration_days) for p in offer.pricing_plans] == [
        ("FIXED_DATE", None),
        ("FIXED_DURATION", 45),
    ]


def test_push_answers_the_tokens_and_the_invoices_show_the_offer_they_were_pushed_under(world):
    pushed = world["pushed"]
    assert pushed.session_token and pushed.connect_token and pushed.session_token != pushed.connect_token
    listed = world["client"].financing.get_financing_invoices(status="NEW", order="asc")
    assert ids(listed) == uuids(world["made"][:3])
    first = listed.data[0]
    assert (first.advance_rate_percentage, first.fee_percentage) == (8000, 300)  # the offer's first plan
    assert first.requested_amount == first.principal_amount == 100000 * 8000 // 10000


def test_financing_tokens_answers_a_connect_token_the_hosted_page_exchanges(world, stack):
    client = world["client"]
    connect = client.financing.post_financing_tokens().connect_token
    exchanged = stack.request(
        "GET",
        "/v1/financing_connect",
        headers={"Authorization": f"Bearer {connect}", "x-financing-session": world["pushed"].session_token},
    )
    assert exchanged.status == 200, exchanged.body
    body = exchanged.json()
    assert body["offers"][0]["pricing_plans"][1]["repayment_duration_days"] == 45
    assert [i["invoice_id"] for i in body["session"]["invoices"]] == uuids(world["made"][:3])
    # The connect token opens nothing else: the API's authorizer refuses it.
    refused = sdk(stack, token=connect).financing.get_financing_offers
    with pytest.raises(UnauthorizedError):
        refused()


def test_every_filter_family_through_the_sdk(world):
    list_ = world["client"].financing.get_financing_invoices
    made = world["made"]
    every = uuids(made)
    document = made[4]["invoice_document"]["id"]
    issue, due = date.fromisoformat(made[0]["issue_date"]), date.fromisoformat(made[0]["due_date"])
    assert ids(list_()) == every
    assert ids(list_(order="desc", sort="created_at")) == every[::-1]
    assert ids(list_(invoice_id=every[1])) == [every[1]]
    assert ids(list_(invoice_id_in=[every[0], every[3]])) == [every[0], every[3]]
    assert ids(list_(status="DRAFT")) == every[3:]
    assert ids(list_(status_in=["NEW", "DRAFT"])) == every
    assert ids(list_(type="receivable")) == every and ids(list_(type_in=["payable"])) == []
    assert ids(list_(document_id=document)) == [every[4]]
    assert ids(list_(document_id_in=[document, made[0]["invoice_document"]["id"]])) == [every[0], every[4]]
    assert ids(list_(issue_date_gte=midnight(issue), issue_date_lte=midnight(issue))) == every
    assert ids(list_(issue_date_gt=midnight(issue))) == [] and ids(list_(issue_date_lt=midnight(issue))) == []
    assert ids(list_(due_date_gte=midnight(due), due_date_lt=midnight(due + timedelta(days=1)))) == every
    assert ids(list_(due_date_gt=midnight(due))) == [] and ids(list_(due_date_lte=midnight(issue))) == []
    assert ids(list_(created_at_gte=world["created_from"])) == every
    assert ids(list_(created_at_lt=world["created_from"])) == []
    assert ids(list_(created_at_gt=world["created_from"], created_at_lte=datetime.now(UTC))) == every
    assert ids(list_(total_amount=100100)) == [every[1]]
    assert ids(list_(total_amount_gte=100200)) == every[2:] and ids(list_(total_amount_gt=100300)) == [
        every[4]
    ]
    assert (
        ids(list_(total_amount_lt=100100)) == [every[0]] and ids(list_(total_amount_lte=100100)) == every[:2]
    )


def test_pagination_tokens_walk_both_ways_through_the_sdk(world):
    list_ = world["client"].financing.get_financing_invoices
    pages = [list_(limit=2, order="desc", status_in=["NEW", "DRAFT"])]
    assert pages[0].prev_pagination_token is None
    while pages[-1].next_pagination_token:
        pages.append(list_(pagination_token=pages[-1].next_pagination_token))
    forward = [i for page in pages for i in ids(page)]
    assert forward == uuids(world["made"])[::-1] and len(pages) == 3
    back = [pages[-1]]
    while back[-1].prev_pagination_token:
        back.append(list_(pagination_token=back[-1].prev_pagination_token))
    assert [i for page in reversed(back) for i in ids(page)] == forward


def test_a_bad_value_raises_the_sdks_unprocessable_entity_error(world):
    with pytest.raises(UnprocessableEntityError) as raised:
        world["client"].financing.get_financing_invoices(limit=0)
    assert raised.value.body["detail"][0]["loc"] == ["query", "limit"]
    with pytest.raises(UnprocessableEntityError):
        world["client"].financing.get_financing_invoices(pagination_token="forged.token")


def test_refusals_arrive_as_the_sdks_errors_in_monites_envelope(world, stack):
    with pytest.raises(UnauthorizedError):
        sdk(stack, token="not-a-jwt").financing.get_financing_offers()
    with pytest.raises(ApiError) as foreign:
        sdk(stack, entity="another-entity").financing.post_financing_tokens()
    assert foreign.value.status_code == 403 and set(foreign.value.body) == {"error"}
