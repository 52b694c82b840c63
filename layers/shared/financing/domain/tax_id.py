"""Tax identifiers: Brazilian CPF/CNPJ with check digits; other countries' ids are free text."""

import re

from validate_docbr import CNPJ, CPF

_CPF = CPF()
_CNPJ = CNPJ()


def digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# The shapes (digits, with the usual punctuation) a schema can say; check digits it cannot.
_SEPARATOR = r"[./\- ]*"
CPF_OR_CNPJ_PATTERN = rf"^{_SEPARATOR}(?:[0-9]{_SEPARATOR}){{11}}$|^{_SEPARATOR}(?:[0-9]{_SEPARATOR}){{14}}$"
CNPJ_PATTERN = rf"^{_SEPARATOR}(?:[0-9]{_SEPARATOR}){{14}}$"


def brazilian_document_problem(value: str) -> str | None:
    """Why a CPF (11 digits) or CNPJ (14 digits) is invalid, or None when it is valid."""
    if re.fullmatch(r"[\d.\-/ ]+", value) is None:
        return "must be a CPF (11 digits) or a CNPJ (14 digits)"
    number = digits(value)
    if len(number) == 11:
        return None if _CPF.validate(number) else "is not a valid CPF (check digits do not match)"
    if len(number) == 14:
        return None if _CNPJ.validate(number) else "is not a valid CNPJ (check digits do not match)"
    return "must be a CPF (11 digits) or a CNPJ (14 digits)"


def is_cnpj(value: str) -> bool:
    """A CNPJ: 14 digits (punctuation allowed) with matching check digits."""
    return len(digits(value)) == 14 and brazilian_document_problem(value) is None


def normalise_tax_id(value: str, country_code: str | None) -> str:
    """Brazilian documents are stored as bare digits; other ids as given, trimmed."""
    return digits(value) if country_code == "BR" else value.strip()
