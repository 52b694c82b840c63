import pytest

from financing.domain.companies import Address, register_company, revise_company
from financing.domain.errors import InvalidInput
from financing.domain.tax_id import brazilian_document_problem

VALID_CNPJ = "11.222.333/0001-81"
VALID_CPF = "529.982.247-25"


def _company(**overrides):
    details = {
        "tenant_id": "acme",
        "name": "Fornecedora Ltda",
        "address": Address(country_code="BR"),
        "website": None,
        "tax_id": VALID_CNPJ,
        "contacts": [{"first_name": "Ana", "last_name": "Silva", "is_signatory": True}],
    }
    return register_company(**{**details, **overrides})


@pytest.mark.parametrize("document", [VALID_CNPJ, "11222333000181", VALID_CPF, "52998224725"])
def test_valid_brazilian_documents_pass(document):
    assert brazilian_document_problem(document) is None


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("11.222.333/0001-82", "check digits"),
        ("529.982.247-26", "check digits"),
        ("1234", "11 digits"),
        ("abc", "11 digits"),
        ("111.111.111-11", "check digits"),
    ],
)
def test_invalid_brazilian_documents_say_why(document, problem):
    assert problem in brazilian_document_problem(document)


def test_a_brazilian_company_is_stored_with_its_document_as_digits():
    company = _company()
    assert company.tax_id == "11222333000181"
    assert company.id.startswith("company_")
    assert company.contacts[0].id.startswith("contact_")
    assert company.version == 1


def test_a_brazilian_company_with_a_bad_cnpj_is_refused():
    with pytest.raises(InvalidInput) as refused:
        _company(tax_id="11.222.333/0001-00")
    assert refused.value.problems[0].field == "tax_id"


def test_other_countries_keep_their_tax_id_as_free_text():
    company = _company(address=Address(country_code="GB"), tax_id=" GB123456789 ")
    assert company.tax_id == "GB123456789"


def test_moving_a_company_to_brazil_rechecks_its_tax_id():
    company = _company(address=Address(country_code="GB"), tax_id="GB123456789")
    with pytest.raises(InvalidInput):
        revise_company(company, {"address": {"country_code": "BR"}})


def test_revising_keeps_named_contacts_and_bumps_the_version():
    company = _company()
    kept = company.contacts[0]
    revised = revise_company(
        company,
        {
            "name": "Nova",
            "contacts": [
                {"id": kept.id, "first_name": "Ana", "last_name": "Souza"},
                {"first_name": "Rui", "last_name": "Lima"},
            ],
        },
    )
    assert revised.name == "Nova"
    assert revised.version == 2
    assert revised.contacts[0].id == kept.id and revised.contacts[0].last_name == "Souza"
    assert revised.contacts[1].id.startswith("contact_") and revised.contacts[1].id != kept.id
    assert company.name == "Fornecedora Ltda"


def test_revising_refuses_a_contact_id_the_company_does_not_have():
    with pytest.raises(InvalidInput):
        revise_company(_company(), {"contacts": [{"id": "contact_x", "first_name": "A", "last_name": "B"}]})
