"""Secrets Manager: a key the template generates, read once per container when first needed."""

from functools import cache

from financing.adapters.aws import client


@cache
def secret_string(secret_arn: str) -> str:
    """The secret's current value, kept for the container's life (a rotated key reaches new containers)."""
    if not secret_arn:
        raise RuntimeError("the secret's ARN is not configured")
    return client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
