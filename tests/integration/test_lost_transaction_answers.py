"""A transaction whose answer is lost (a read timeout after it committed) is sent again by the SDK. Were
it a new transaction, its conditions would meet the first attempt's writes and a funding that committed
would be answered 409. botocore fills TransactWriteItems' ClientRequestToken itself (an idempotency token
in DynamoDB's model) and resends the same one, so DynamoDB, and the embedded DynamoDB as it does, answers
the retry as the first and writes nothing again. This guards that: no adapter may drop the token."""

import pytest

from financing.adapters.aws import client
from local import moto_transactions
from tests.integration.invoice_fixtures import act, get
from tests.integration.test_invoice_ageing_and_races import financed_invoice
from tests.integration.test_ledger_api import books, entries

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def lost_first_answer():
    """The first answer to each TransactWriteItems is lost after it committed: the SDK sends it again, as
    botocore does after a read timeout (the embedded DynamoDB honours tokens as DynamoDB does)."""
    sent: list[dict] = []

    def retry_once(attempts, request_dict, **_):
        sent.append(request_dict)
        return 0 if attempts == 1 else None  # retry at once after the first attempt, whatever it answered

    events = client("dynamodb").meta.events
    with moto_transactions.installed():
        events.register_first("needs-retry.dynamodb.TransactWriteItems", retry_once, unique_id="lost-answer")
        yield sent
        events.unregister("needs-retry.dynamodb.TransactWriteItems", unique_id="lost-answer")


def test_a_funding_whose_answer_is_lost_commits_once_and_answers_200(lost_first_answer):
    invoice, _ = financed_invoice()
    funded = act("fund_invoice", "fund", invoice["id"], {})
    assert funded.status == 200, funded.json
    assert len(lost_first_answer) >= 2  # the transaction was sent again
    assert get(invoice["id"]).json["status"] == "financed"
    assert len(entries()) == 1
    assert sum(books()["usd"].values()) == 0
