"""Publish the built web pages (make web) to a deployed stack's bucket, with the web-config.json its outputs
give: `make web-publish STACK=invoice-financing-dev`."""

from __future__ import annotations

import argparse
import mimetypes
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NO_CACHE = "no-cache"
# Vite names every asset by its content hash: a changed file is a new name, so browsers may keep them.
IMMUTABLE = "public, max-age=31536000, immutable"


def publish(stack: str, dist: Path, cloudformation: Any, s3: Any) -> list[str]:
    """Every built file, then the configuration (so a page never loads with a stale one); the keys written."""
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    if "WebBucketName" not in outputs or "WebConfig" not in outputs:
        raise SystemExit(f"{stack} has no web bucket (the local stage has none; deploy dev or prod)")
    if not (dist / "console" / "index.html").is_file():
        raise SystemExit("the web pages are not built: make web")
    written = []
    for file in sorted(p for p in dist.rglob("*") if p.is_file() and not p.name.startswith(".")):
        key = file.relative_to(dist).as_posix()
        s3.put_object(
            Bucket=outputs["WebBucketName"],
            Key=key,
            Body=file.read_bytes(),
            ContentType=mimetypes.guess_type(file.name)[0] or "application/octet-stream",
            CacheControl=IMMUTABLE if key.startswith("assets/") else NO_CACHE,
        )
        written.append(key)
    s3.put_object(
        Bucket=outputs["WebBucketName"],
        Key="web-config.json",
        Body=outputs["WebConfig"].encode(),
        ContentType="application/json",
        CacheControl=NO_CACHE,
    )
    return [*written, "web-config.json"]


def main() -> None:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stack")
    arguments = parser.parse_args()
    keys = publish(arguments.stack, ROOT / "web" / "dist", boto3.client("cloudformation"), boto3.client("s3"))
    print(f"published {len(keys)} files")


if __name__ == "__main__":
    main()
