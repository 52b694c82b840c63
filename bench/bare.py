"""The baseline: a fresh process that imports boto3, creates the clients and makes the same AWS calls.

Usage: python -m bench.bare <calls.json>
"""

import json
import sys
from contextlib import suppress
from pathlib import Path

from bench.memory import peak_mb


def main() -> None:
    calls = json.loads(Path(sys.argv[1]).read_text())
    import boto3
    from botocore import xform_name
    from botocore.exceptions import ClientError

    clients: dict = {}
    for call in calls:
        client = clients.get(call["service"]) or clients.setdefault(
            call["service"], boto3.client(call["service"])
        )
        # A replayed conditional write fails: still the same round trip.
        with suppress(ClientError):
            getattr(client, xform_name(call["operation"]))(**call["params"])
    print(json.dumps({"maxrss_mb": peak_mb()}))


if __name__ == "__main__":
    main()
