import pytest

from financing.api.pagination import InvalidCursor, decode_cursor, encode_cursor, position_after


def test_a_cursor_round_trips_for_its_own_listing():
    token = encode_cursor({"after": "company_01"}, "acme:companies")
    assert decode_cursor(token, "acme:companies") == {"after": "company_01"}
    assert position_after(token, "acme:companies") == "company_01"


def test_a_cursor_is_useless_for_another_tenant_or_listing():
    token = encode_cursor({"after": "company_01"}, "acme:companies")
    for binding in ["globex:companies", "acme:invoices"]:
        with pytest.raises(InvalidCursor):
            decode_cursor(token, binding)


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
