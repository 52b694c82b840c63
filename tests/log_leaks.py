"""What no log line may hold, found in captured log text: Brazilian tax ids (CPF/CNPJ, by their check digits),
bearer and financing tokens (JWTs), webhook secrets, presigned URL signatures and policies."""

import re

from validate_docbr import CNPJ, CPF

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=_-]{8,}")
_PRESIGNED = re.compile(r"x-amz-signature|x-amz-credential|x-amz-security-token", re.IGNORECASE)
# 11 or 14 digits, bare or punctuated as people write them, not inside a longer run of letters or digits
# (a ULID, a UUID, a timestamp): a candidate is a tax id only when its check digits match.
_TAX_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}/?[0-9]{4}-?[0-9]{2}|[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2})(?![0-9A-Za-z])"
)
_CPF, _CNPJ = CPF(), CNPJ()


def _is_tax_id(candidate: str) -> bool:
    number = re.sub(r"\D", "", candidate)
    return _CPF.validate(number) if len(number) == 11 else _CNPJ.validate(number)


def leaks(text: str) -> list[str]:
    """Each secret-bearing value found in `text`, named by its kind (the value itself cut short)."""
    found = [f"token {m[:12]}..." for m in _JWT.findall(text)]
    found += [f"webhook secret {m[:10]}..." for m in _WEBHOOK_SECRET.findall(text)]
    found += [f"presigned URL field {m}" for m in _PRESIGNED.findall(text)]
    found += [f"tax id {m[:4]}..." for m in _TAX_ID.findall(text) if _is_tax_id(m)]
    return found


def leaking_lines(text: str) -> list[str]:
    return [f"{', '.join(found)} in: {line[:300]}" for line in text.splitlines() if (found := leaks(line))]
