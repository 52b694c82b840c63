"""AWS clients, created once per container; endpoints come from the standard AWS_ENDPOINT_URL* variables."""

from functools import cache

import botocore.session
from botocore.config import Config

_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
# botocore presigns S3 with SigV2 unless told otherwise, which buckets created since 2020 refuse.
_S3_CONFIG = _CONFIG.merge(Config(signature_version="s3v4"))


@cache
def session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def client(service: str):
    # botocore's own session, as boto3.client uses underneath: importing boto3 (and s3transfer with it)
    # would add about 100 ms to every cold start for nothing these functions use.
    return session().create_client(service, config=_S3_CONFIG if service == "s3" else _CONFIG)
