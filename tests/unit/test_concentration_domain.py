"""The concentration limit rule: a buyer's share of the tenant's outstanding after a funding, and the
ramp-up below which it does not bind; checked against a plain reference model with hypothesis."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from financing.domain.concentration import ConcentrationLimitExceeded, Limit, Within, check_funding, share_bps


def test_the_first_funding_of_a_tenant_is_100_percent_and_is_refused_when_the_limit_always_applies():
    with pytest.raises(ConcentrationLimitExceeded) as refused:
        check_funding(Limit(cap=5000), buyer=0, tenant=0, advance=1000, currency="usd")
    assert refused.value.code == "concentration_limit_exceeded"
    assert refused.value.message == (
        "Funding this invoice would make the buyer 100.00% of the tenant's outstanding advances in USD, "
        "above the concentration limit of 50.00%."
    )
    assert refused.value.details == {"buyer_share_percentage": 10_000, "concentration_limit_percentage": 5000}


def test_within_the_ramp_up_the_limit_does_not_bind_and_at_its_end_it_does():
    limit = Limit(cap=5000, applies_above=100_000)
    assert check_funding(limit, buyer=0, tenant=0, advance=100_000) == Within.RAMP_UP
    with pytest.raises(ConcentrationLimitExceeded):
        check_funding(limit, buyer=0, tenant=0, advance=100_001)


def test_a_share_exactly_at_the_cap_is_allowed_and_one_minor_unit_more_is_not():
    # other buyers hold 6000; this one 3000 + 1000 of 10000 after = 40% exactly
    assert check_funding(Limit(cap=4000), buyer=3000, tenant=9000, advance=1000) == Within.CAP
    with pytest.raises(ConcentrationLimitExceeded) as refused:
        check_funding(Limit(cap=4000), buyer=3000, tenant=9000, advance=1001)
    assert refused.value.details["buyer_share_percentage"] == 4001  # 40.005..% shown rounded up


def test_a_cap_of_100_percent_allows_everything():
    assert check_funding(Limit(cap=10_000), buyer=0, tenant=0, advance=10**12) == Within.CAP


def test_the_share_is_rounded_up_so_a_share_above_the_cap_never_shows_equal_to_it():
    assert share_bps(1, 3) == 3334 and share_bps(1, 2) == 5000 and share_bps(0, 0) == 0


amounts = st.integers(min_value=0, max_value=10**13)


@given(
    cap=st.integers(min_value=1, max_value=10_000),
    applies_above=amounts,
    others=amounts,
    buyer=amounts,
    advance=st.integers(min_value=1, max_value=10**13),
)
def test_the_rule_matches_a_plain_reference_model(cap, applies_above, others, buyer, advance):
    tenant_after = others + buyer + advance
    binds = tenant_after > applies_above
    allowed = not binds or Fraction(buyer + advance, tenant_after) <= Fraction(cap, 10_000)
    try:
        within = check_funding(Limit(cap, applies_above), buyer=buyer, tenant=others + buyer, advance=advance)
    except ConcentrationLimitExceeded as refused:
        assert not allowed
        assert refused.details["buyer_share_percentage"] > cap
    else:
        assert allowed and within == (Within.CAP if binds else Within.RAMP_UP)
