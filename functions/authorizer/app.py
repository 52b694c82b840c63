"""API Gateway TOKEN authorizer: verifies the bearer JWT and passes tenant, subject and scopes on."""

import os

from financing.auth.tokens import InvalidToken, Verifier
from financing.observability import logger

verifier = Verifier(
    issuer=os.environ.get("JWT_ISSUER", "invoice-financing"),
    audience=os.environ.get("JWT_AUDIENCE", "invoice-financing-api"),
    jwks_url=os.environ.get("JWKS_URL", ""),
    dev_secret=os.environ.get("DEV_JWT_SECRET", ""),
)


def _api_wide(method_arn: str) -> str:
    """arn:...:api/stage/METHOD/path -> arn:...:api/stage/*/*, so a cached policy fits every route."""
    api, _, _ = method_arn.partition("/")
    stage = method_arn.split("/")[1] if method_arn.count("/") >= 1 else "*"
    return f"{api}/{stage}/*/*"


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    try:
        claims = verifier.verify(event.get("authorizationToken"))
    except InvalidToken as error:
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
