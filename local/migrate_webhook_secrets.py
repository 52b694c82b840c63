"""`python -m local.migrate_webhook_secrets [--table NAME --key ARN]` (make migrate-webhook-secrets): seal
every webhook secret still stored in plaintext (made before secrets were encrypted) with the stack's KMS key,
in the Standard Webhooks format, keeping its HMAC key (so no signature changes).

With --table and --key (the stack's outputs WebhookSecretsKeyArn; or WEBHOOK_SECRETS_KEY) it works on that
entities table of a deployed stack, with your usual AWS credentials and region, which need
kms:GenerateDataKey on the key; without, on the running local stack. It can run beside live traffic and be
run again."""

from __future__ import annotations

import argparse
import os
import sys

from financing.adapters.dynamo import EntityTable
from financing.adapters.secret_box import SecretBox
from financing.adapters.webhooks import SubscriptionStore
from financing.services.webhooks import migrate_secrets
from local.discover import api_url, running_stack
from local.settings import REGION


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--table", help="the deployed stack's entities table (default: the local stack's)")
    parser.add_argument("--key", help="the stack's webhook secrets key ARN (default: WEBHOOK_SECRETS_KEY)")
    args = parser.parse_args(argv)
    table, key = args.table, args.key or os.environ.get("WEBHOOK_SECRETS_KEY")
    if table is None:
        health = running_stack()
        if health is None:
            print(f"no local stack answers on {api_url()}; start one, or name a --table", file=sys.stderr)
            return 2
        table, key = health["resources"]["EntitiesTable"], key or health["resources"]["WebhookSecretsKey"]
        os.environ["AWS_ENDPOINT_URL"] = health["aws_endpoint"]  # read when the client is created
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(name, "testing")
    if not key:
        print("name the stack's webhook secrets key: --key <WebhookSecretsKeyArn>", file=sys.stderr)
        return 2
    sealed = migrate_secrets(SubscriptionStore(EntityTable(table), SecretBox(key)))
    print(f"{sealed} webhook secret(s) encrypted with the stack's key (Standard Webhooks format, same keys)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
