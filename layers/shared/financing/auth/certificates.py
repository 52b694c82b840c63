"""Certificate-bound access tokens (RFC 8705, as FAPI-BR requires of Open Finance): a token whose
`cnf.x5t#S256` names a certificate is honoured only on a request made with that certificate."""

import base64
import hashlib
import hmac
import ssl


class CertificateMismatch(Exception):
    """The token is bound to a certificate the request did not present (or presented another)."""


def thumbprint(pem: str) -> str:
    """base64url, unpadded, of the SHA-256 of the certificate's DER encoding (RFC 8705 section 3.1)."""
    der = ssl.PEM_cert_to_DER_cert(pem.strip())
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def check_binding(bound_to: str | None, client_pem: str | None, *, required: bool) -> None:
    """Refuse a bound token without its certificate, and (`required`) a token bound to none."""
    if bound_to is None:
        if required:
            raise CertificateMismatch("the token is not bound to a client certificate")
        return
    if not client_pem:
        raise CertificateMismatch("the token is bound to a client certificate the request did not present")
    try:
        presented = thumbprint(client_pem)
    except ValueError as error:
        raise CertificateMismatch("the client certificate is not a PEM certificate") from error
    if not hmac.compare_digest(presented, bound_to):
        raise CertificateMismatch("the token is bound to another client certificate")
