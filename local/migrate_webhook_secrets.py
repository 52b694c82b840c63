"""`python -m local.migrate_webhook_secrets [--table NAME]` (make migrate-webhook-secrets): store every webhook
secret issued before the platform followed Standard Webhooks in the standard format, keeping its key.

With --table it works on that entities table of a deployed stack, with your usual AWS credentials and
region; without, on the running local stack. It can run beside live traffic and be run again."""

from __future__ import annotations

import argparse
import os
import sys

from financing.adapters.dynamo import EntityTable
from financing.adapters.webhooks import SubscriptionStore
from financing.services.webhooks import migrate_secrets
from local.discover import api_url, running_stack
from local.settings import REGION


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--table", help="the deployed stack's entities table (default: the local stack's)")
    args = parser.parse_args(argv)
    table = args.table
    if table is None:
        health = running_stack()
        if health is None:
            print(f"no local stack answers on {api_url()}; start one, or name a --table", file=sys.stderr)
            return 2
        table = health["resources"]["EntitiesTable"]
        os.environ["AWS_ENDPOINT_URL"] = health["aws_endpoint"]  # read when the client is created
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(name, "testing")
    rewritten = migrate_secrets(SubscriptionStore(EntityTable(table)))
    print(f"{rewritten} webhook secret(s) rewritten in the Standard Webhooks format (same keys)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
