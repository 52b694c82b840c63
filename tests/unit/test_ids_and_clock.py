from datetime import UTC, datetime

from financing import clock
from financing.ids import as_uuid, from_uuid, is_id, new_id, parse_id


def test_ids_carry_their_type_prefix_and_a_ulid():
    company_id = new_id("company")
    assert company_id.startswith("company_") and len(company_id) == len("company_") + 26
    assert is_id("company", company_id)
    assert not is_id("inv", company_id)


def test_malformed_ids_are_not_ids():
    for value in [
        "",
        "company_",
        "company_123",
        "company_" + "!" * 26,
        "nounderscore",
        "company_" + "U" * 27,
    ]:
        assert parse_id("company", value) is None


def test_the_same_bits_render_as_a_uuid_and_back():
    invoice_id = new_id("inv")
    assert from_uuid("inv", as_uuid(invoice_id)) == invoice_id


def test_ids_sort_by_creation_time():
    clock.set_clock(lambda: datetime(2026, 1, 1, tzinfo=UTC))
    try:
        first = new_id("company")
        clock.set_clock(lambda: datetime(2026, 1, 2, tzinfo=UTC))
        second = new_id("company")
    finally:
        clock.reset_clock()
    assert first < second


def test_the_clock_is_injectable_and_renders_utc_with_z():
    clock.set_clock(lambda: datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC))
    try:
        assert clock.today().isoformat() == "2026-03-04"
        assert clock.iso(clock.now()) == "2026-03-04T05:06:07Z"
        assert clock.now().microsecond == 891000
    finally:
        clock.reset_clock()
