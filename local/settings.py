"""Development constants of the local stack, documented in the README."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The stack is read from this template; tests of the emulator point it at a fixture template.
TEMPLATE = Path(os.environ.get("LOCAL_TEMPLATE") or ROOT / "template.yaml")

# HS256 secret for development tokens. Deployed stacks verify RS256 against a JWKS URL instead.
DEV_JWT_SECRET = os.environ.get("DEV_JWT_SECRET", "local-development-secret-change-me-0123456789")
STACK_NAME = os.environ.get("STACK_NAME", "invoice-financing-local")
REGION = os.environ.get("AWS_REGION", "us-east-1")
AWS_PORT = int(os.environ.get("AWS_PORT", "5000"))
PORT = int(os.environ.get("PORT", "3000"))
# Template parameters the local stack deploys with; the rest take the template's defaults.
PARAMETER_OVERRIDES = {"Stage": "local", "DevJwtSecret": DEV_JWT_SECRET}
# Local preferences applied only where the template declares the parameter (retries within seconds here;
# webhooks may go to a receiver on this machine, and their first retries come within a minute).
LOCAL_DEFAULTS = {
    "RegistrationRetryBaseSeconds": "1",
    "WebhookAllowLoopback": "true",
    "WebhookRetryFirstDelaySeconds": "5",
    # Each function runs in LOCAL_CONCURRENCY (4) containers here, not the deliverer's 50 invocations: a
    # tenant's share of the deliverer is half of them, as it is a fifth on AWS.
    "WebhookTenantInvocations": "2",
}
# More overrides, e.g. LOCAL_PARAMETERS="RegistrarFailureRate=0.5 RegistrarLatencyMs=200" (a flaky, slow registrar).
PARAMETER_OVERRIDES |= dict(
    pair.split("=", 1) for pair in os.environ.get("LOCAL_PARAMETERS", "").split() if "=" in pair
)
# Containers per function: how many invocations of one function run at the same time.
CONCURRENCY = int(os.environ.get("LOCAL_CONCURRENCY", "4"))
# Scheduled rules run on demand only, unless this is set: then also at their rate(...).
RUN_SCHEDULES = os.environ.get("LOCAL_RUN_SCHEDULES") == "1"
# Other stacks deployed next to the product on the same embedded AWS (a subscriber's application), each a SAM
# template path (relative to the project); they import the product's exports, and a parameter named
# ProductStackName, where declared, gets the product stack's name.
EXTRA_TEMPLATES = [ROOT / path for path in os.environ.get("LOCAL_EXTRA_TEMPLATES", "").split()]
