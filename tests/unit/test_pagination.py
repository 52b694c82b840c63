from datetime import date

import pytest

from financing.adapters.aws import client
from financing.adapters.secrets import secret_string
from financing.config import settings
from financing.families.core.pagination import list_cursors, position_after
from financing.families.cursors import InvalidCursor, decode_cursor, encode_cursor

pytestmark = pytest.mark.usefixtures("cursor_key")


def test_a_cursor_round_trips_for_its_own_listing():
    token = encode_cursor({"after": "company_01"}, "acme:companies")
    assert decode_cursor(token, "acme:companies") == {"after": "company_01"}
    assert position_after(token, "acme:companies") == "company_01"


def test_a_cursor_is_useless_for_another_tenant_or_listing():
    token = encode_cursor({"after": "company_01"}, "acme:companies")
    for binding in ["globex:companies", "acme:invoices"]:
        with pytest.raises(InvalidCursor):
            decode_cursor(token, binding)


def test_a_listings_cursors_resume_only_that_listing():
    cursors = list_cursors("acme", "buyer_limits", "company_01")
    token = cursors.next("bl_09")
    assert cursors.after(token) == "bl_09"
    assert cursors.after(None) is None
    assert cursors.next(None) is None  # the listing ended: no cursor
    for other in [
        list_cursors("globex", "buyer_limits", "company_01"),
        list_cursors("acme", "companies", "company_01"),
        list_cursors("acme", "buyer_limits", "company_02"),
        list_cursors("acme", "buyer_limits", None),
    ]:
        with pytest.raises(InvalidCursor):
            other.after(token)


@pytest.mark.parametrize(
    ("cursors", "binding"),
    [
        (list_cursors("acme", "companies"), "acme:companies"),
        (list_cursors("acme", "buyer_limits", None), "acme:buyer_limits:*"),
        (list_cursors("acme", "invoices", ""), "acme:invoices:"),
        (
            list_cursors("acme", "invoices", "buyer=company_01&status=new"),
            "acme:invoices:buyer=company_01&status=new",
        ),
        (
            list_cursors("acme", "ledger_entries", None, "cash", date(2026, 1, 2), None),
            "acme:ledger_entries:*:cash:2026-01-02:*",
        ),
    ],
)
def test_a_listings_binding_is_stable(cursors, binding):
    # The cursors a deployed API already handed out must still resume their listings after an upgrade.
    assert cursors.binding == binding


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???", "e30.AAAA"])
def test_garbage_is_refused(token):
    with pytest.raises(InvalidCursor):
        decode_cursor(token, "acme:companies")


def test_an_altered_position_is_refused():
    token = encode_cursor({"after": "company_01"}, "acme:companies")
    forged = (
        encode_cursor({"after": "company_99"}, "acme:companies").split(".")[0] + "." + token.split(".")[1]
    )
    with pytest.raises(InvalidCursor):
        decode_cursor(forged, "acme:companies")


def test_the_key_is_read_from_secrets_manager_once_per_container(monkeypatch):
    import botocore.client

    reads = []
    real_call = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        if operation_name == "GetSecretValue":
            reads.append(api_params["SecretId"])
        return real_call(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    for n in range(5):
        decode_cursor(encode_cursor({"after": f"company_{n}"}, "acme:companies"), "acme:companies")
    assert reads == [settings().pagination_secret_arn]


def test_a_cursor_signed_before_the_key_changed_is_refused_by_a_new_container():
    token = encode_cursor({"after": "company_01"}, "acme:companies")
    client("secretsmanager").put_secret_value(
        SecretId=settings().pagination_secret_arn, SecretString="another-generated-key-0123456789abcdef"
    )
    secret_string.cache_clear()  # a new container reads the current key
    with pytest.raises(InvalidCursor):
        decode_cursor(token, "acme:companies")
