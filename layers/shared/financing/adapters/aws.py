"""AWS clients, created once per container; endpoints come from the standard AWS_ENDPOINT_URL* variables."""

from functools import cache

import boto3
from botocore.config import Config

_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


@cache
def client(service: str):
    return boto3.client(service, config=_CONFIG)
