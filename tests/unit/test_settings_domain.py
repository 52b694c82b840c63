"""Tenant settings: defaults, bounds, whole replacement, and what funding and ageing read."""

from datetime import UTC, datetime

import pytest

from financing.clock import reset_clock, set_clock
from financing.domain.errors import InvalidInput
from financing.domain.iof import IofRates
from financing.domain.settings import BOUNDS, TenantSettings, defaults, problems, replace_settings

TERMS = {
    "default_after_days": 60,
    "grace_days": 5,
    "late_fee_rate_percentage": 3650,
    "pricing": {"advance_rate_percentage": 8500, "fee_percentage": 300},
}

NO_CONCENTRATION = {"concentration_limit_percentage": None, "concentration_limit_applies_above": 0}


STATUTORY_IOF = {"daily_rate": 8200, "additional_rate": 380_000}  # 0.0082% a day, 0.38% once


@pytest.fixture(autouse=True)
def fixed_clock():
    set_clock(lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    yield
    reset_clock()


def test_the_defaults():
    settings = defaults("acme")
    assert settings.terms() == {
        "default_after_days": 90,
        "grace_days": 0,
        "late_fee_rate_percentage": 2400,
        "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
        "iof": {"daily_rate": 8200, "additional_rate": 380_000},
        "brand_name": None,
        "institution_cnpj": None,
        "concentration_limit_percentage": None,
        "concentration_limit_applies_above": 0,
    }
    assert settings.concentration_limit() is None and settings.concentration_since is None
    assert settings.updated is None and settings.version == 0
    pricing = settings.funding_pricing()
    assert (pricing.advance_rate, pricing.fee_rate) == (9000, 250)
    assert (settings.advance_rate_percentage, settings.fee_percentage) == (9000, 250)


def test_the_bounds():
    assert BOUNDS == {
        "default_after_days": (1, 3650),
        "grace_days": (0, 3650),
        "late_fee_rate_percentage": (0, 100_000),
        "pricing.advance_rate_percentage": (1, 10_000),
        "pricing.fee_percentage": (0, 10_000),
        "iof.daily_rate": (0, 1_500_000),
        "iof.additional_rate": (0, 1_500_000),
    }


def test_replacement_sets_every_term_stamps_and_versions():
    revised = replace_settings(defaults("acme"), TERMS)
    assert revised.terms() == {
        **TERMS,
        "iof": STATUTORY_IOF,
        "brand_name": None,
        "institution_cnpj": None,
        **NO_CONCENTRATION,
    }
    assert revised.version == 1 and revised.updated == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert revised.tenant_id == "acme"


def test_replacing_stored_settings_with_the_same_terms_is_a_no_op():
    stored = replace_settings(defaults("acme"), TERMS)
    assert replace_settings(stored, TERMS) is stored
    assert replace_settings(stored, {**TERMS, "grace_days": 6}).version == 2


def test_the_first_save_of_the_default_terms_is_still_a_save():
    saved = replace_settings(defaults("acme"), defaults("acme").terms())
    assert saved.version == 1 and saved.updated is not None


def test_every_problem_is_named_at_once():
    bad = {
        **TERMS,
        "default_after_days": 0,
        "pricing": {"advance_rate_percentage": 10_001, "fee_percentage": -1},
    }
    with pytest.raises(InvalidInput) as refused:
        replace_settings(defaults("acme"), bad)
    assert [p.field for p in refused.value.problems] == [
        "default_after_days",
        "pricing.advance_rate_percentage",
        "pricing.fee_percentage",
    ]


@pytest.mark.parametrize("value", [True, "5", 5.0, None])
def test_only_integers_pass(value):
    assert [p.field for p in problems({**TERMS, "grace_days": value})] == ["grace_days"]


def test_a_missing_nested_term_is_a_problem():
    assert [p.field for p in problems({**TERMS, "pricing": {}})] == [
        "pricing.advance_rate_percentage",
        "pricing.fee_percentage",
    ]


def test_a_stored_item_without_newer_fields_still_loads_with_their_defaults():
    # What an item saved before a field existed looks like: the new field takes its default.
    stored = TenantSettings.model_validate({"tenant_id": "acme", "grace_days": 3, "version": 4})
    assert stored.grace_days == 3 and stored.default_after_days == 90 and stored.pricing.fee_percentage == 250


def test_the_institution_cnpj_must_have_valid_check_digits_and_is_kept_as_digits():
    assert [p.field for p in problems({**TERMS, "institution_cnpj": "11222333000182"})] == [
        "institution_cnpj"
    ]
    revised = replace_settings(defaults("acme"), {**TERMS, "institution_cnpj": "11.222.333/0001-81"})
    assert revised.institution_cnpj == "11222333000181"


@pytest.mark.parametrize(
    ("advance", "fee", "refused"),
    [(10_000, 250, True), (10_000, 1, True), (9757, 250, True), (9756, 250, False), (10_000, 0, False)],
)
def test_default_pricing_whose_claim_would_exceed_the_invoice_amount_is_refused(advance, fee, refused):
    terms = {**TERMS, "pricing": {"advance_rate_percentage": advance, "fee_percentage": fee}}
    found = [p.field for p in problems(terms)]
    assert found == (["pricing.advance_rate_percentage", "pricing.fee_percentage"] if refused else [])


def test_iof_rates_default_to_the_statute_and_are_bounded_by_the_legal_maximum():
    # Given terms that leave the IOF out, then terms that set it, then rates beyond 1.5% a day
    assert replace_settings(defaults("acme"), TERMS).iof_rates() == IofRates(daily=8200, additional=380_000)
    simples = replace_settings(defaults("acme"), {**TERMS, "iof": {"daily_rate": 2740, "additional_rate": 0}})
    assert simples.iof_rates() == IofRates(daily=2740, additional=0)
    over = {**TERMS, "iof": {"daily_rate": 1_500_001, "additional_rate": -1}}
    assert [p.field for p in problems(over)] == ["iof.daily_rate", "iof.additional_rate"]


# ------------------------------------------------------------------------------- concentration limit


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("concentration_limit_percentage", None, False),
        ("concentration_limit_percentage", 1, False),
        ("concentration_limit_percentage", 10_000, False),
        ("concentration_limit_percentage", 0, True),
        ("concentration_limit_percentage", 10_001, True),
        ("concentration_limit_percentage", True, True),
        ("concentration_limit_percentage", 2500.0, True),
        ("concentration_limit_applies_above", 0, False),
        ("concentration_limit_applies_above", 10**15, False),
        ("concentration_limit_applies_above", -1, True),
        ("concentration_limit_applies_above", 10**15 + 1, True),
    ],
)
def test_the_concentration_limit_is_null_or_within_its_bounds(field, value, refused):
    assert [p.field for p in problems({**TERMS, field: value})] == ([field] if refused else [])


def test_switching_the_limit_on_starts_an_epoch_that_lasts_while_it_stays_on():
    """The epoch names the portfolio the limit is checked against: switching the limit on (again) must
    start a fresh one; changing the cap must keep it."""
    off = replace_settings(defaults("acme"), TERMS)
    on = replace_settings(off, {**TERMS, "concentration_limit_percentage": 2500})
    assert (on.version, on.concentration_since) == (2, 2)
    assert on.concentration_limit() is not None and on.concentration_limit().cap == 2500
    tighter = replace_settings(on, {**TERMS, "concentration_limit_percentage": 2000})
    assert (tighter.version, tighter.concentration_since) == (3, 2)
    again_off = replace_settings(tighter, TERMS)
    assert again_off.concentration_since is None and again_off.concentration_limit() is None
    again_on = replace_settings(again_off, {**TERMS, "concentration_limit_percentage": 2000})
    assert again_on.concentration_since == again_on.version == 5
    assert replace_settings(again_on, {**TERMS, "concentration_limit_percentage": 2000}) is again_on
