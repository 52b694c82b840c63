"""Development constants of the local stack, documented in the README."""

import os

# HS256 secret for development tokens. Deployed stacks verify RS256 against a JWKS URL instead.
DEV_JWT_SECRET = os.environ.get("DEV_JWT_SECRET", "local-development-secret-change-me-0123456789")
STACK_NAME = os.environ.get("STACK_NAME", "invoice-financing-local")
REGION = os.environ.get("AWS_REGION", "us-east-1")
AWS_PORT = int(os.environ.get("AWS_PORT", "5000"))
PORT = int(os.environ.get("PORT", "3000"))
# Template parameters the local stack deploys with; the rest take the template's defaults.
PARAMETER_OVERRIDES = {"Stage": "local", "DevJwtSecret": DEV_JWT_SECRET}
