"""`python -m local.schedule <name>` (make schedule): run a scheduled rule of the running stack now."""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import quote

from local.discover import api_url, post


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="the function's logical id, or the schedule rule's")
    args = parser.parse_args(argv)
    try:
        status, body = post(f"/_local/schedules/{quote(args.name, safe='')}")
    except OSError:
        print(f"no local stack answers on {api_url()}; start one with `make run`", file=sys.stderr)
        return 2
    print(json.dumps(body, indent=2))
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
