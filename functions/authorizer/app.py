"""API Gateway authorizer: verifies the bearer JWT and passes tenant, subject and scopes on.

The main API calls it as a TOKEN authorizer; the Open Finance API as a REQUEST authorizer, whose event
carries the client certificate of a mutual-TLS custom domain (`requestContext.identity.clientCert`): a
token bound to a certificate (`cnf.x5t#S256`) passes only with that certificate, and with
REQUIRE_CERTIFICATE_BOUND_TOKENS (deployed with the mutual-TLS domain) only bound tokens pass there."""

import os

from financing.auth.certificates import CertificateMismatch, check_binding
from financing.auth.tokens import InvalidToken, Verifier
from financing.observability import logger

MIN_SECRET_BYTES = 32  # an HS256 key shorter than its hash can be guessed offline from any token


def _signing_secret() -> str:
    """The HS256 key: deployed, the one Secrets Manager generated, read once when the function starts
    (JWT_SIGNING_SECRET_ARN); locally, the development secret. Too short a key verifies nothing."""
    if secret_arn := os.environ.get("JWT_SIGNING_SECRET_ARN", ""):
        from financing.adapters.secrets import secret_string  # boto3 only where a deployment needs it

        secret = secret_string(secret_arn)
    else:
        secret = os.environ.get("JWT_SIGNING_SECRET", "")
    if secret and len(secret.encode()) < MIN_SECRET_BYTES:
        logger.error("the HS256 signing secret is shorter than 32 bytes: every token is refused")
        return ""
    return secret


verifier = Verifier(
    issuer=os.environ.get("JWT_ISSUER", "invoice-financing"),
    audience=os.environ.get("JWT_AUDIENCE", "invoice-financing-api"),
    jwks_url=os.environ.get("JWKS_URL", ""),
    dev_secret=_signing_secret(),
)


REQUIRE_BOUND = os.environ.get("REQUIRE_CERTIFICATE_BOUND_TOKENS", "false") == "true"


def _presented(event: dict) -> tuple[str | None, str | None, bool]:
    """(the Authorization header, the client certificate's PEM, whether the event is a REQUEST one)."""
    if event.get("type") != "REQUEST":
        return event.get("authorizationToken"), None, False
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    identity = (event.get("requestContext") or {}).get("identity") or {}
    return headers.get("authorization"), (identity.get("clientCert") or {}).get("clientCertPem"), True


def _api_wide(method_arn: str) -> str:
    """arn:...:api/stage/METHOD/path -> arn:...:api/stage/*/*, so a cached policy fits every route."""
    api, _, _ = method_arn.partition("/")
    stage = method_arn.split("/")[1] if method_arn.count("/") >= 1 else "*"
    return f"{api}/{stage}/*/*"


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    authorization, client_pem, request = _presented(event)
    try:
        claims = verifier.verify(authorization)
        # A TOKEN event has no certificate: a bound token is refused there, as without its certificate.
        check_binding(claims.certificate_thumbprint, client_pem, required=request and REQUIRE_BOUND)
    except (InvalidToken, CertificateMismatch) as error:
        logger.info("token rejected", extra={"reason": str(error)})
        # API Gateway answers 401 only for this exact message.
        raise Exception("Unauthorized") from error
    context_values = {"tenant_id": claims.tenant_id, "sub": claims.subject, "scope": " ".join(claims.scopes)}
    if claims.consent_id:
        context_values["consent_id"] = claims.consent_id
    return {
        "principalId": f"{claims.tenant_id}|{claims.subject}",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": _api_wide(event["methodArn"])}
            ],
        },
        "context": context_values,
    }
