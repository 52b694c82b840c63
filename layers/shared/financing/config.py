"""Environment parsed once into settings: the only module that reads the deployment's variables."""

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    stage: str
    table_name: str
    idempotency_table_name: str
    event_bus_name: str
    pagination_secret_arn: str  # the cursor-signing key's secret, read at run time
    financing_token_secret_arn: str  # the connect and session tokens' key, read at run time
    documents_bucket: str
    registrar_table: str = ""
    registrar_latency_ms: int = 0
    registrar_failure_rate: float = 0.0
    registration_retry_base_seconds: int = 2
    webhook_allow_loopback: bool = False
    webhook_delivery_queue_url: str = ""
    webhook_dead_letter_queue_url: str = ""
    webhook_retry_first_delay_seconds: int = 30
    webhook_retry_factor: float = 2.0
    webhook_retry_max_age_seconds: int = 3 * 24 * 3600
    webhook_secrets_key: str = ""
    webhook_tenant_invocations: int = 10


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        stage=env.get("STAGE", "local"),
        table_name=env.get("TABLE_NAME", ""),
        idempotency_table_name=env.get("IDEMPOTENCY_TABLE_NAME", ""),
        event_bus_name=env.get("EVENT_BUS_NAME", ""),
        pagination_secret_arn=env.get("PAGINATION_SECRET_ARN", ""),
        financing_token_secret_arn=env.get("FINANCING_TOKEN_SECRET_ARN", ""),
        documents_bucket=env.get("DOCUMENTS_BUCKET", ""),
        registrar_table=env.get("REGISTRAR_TABLE_NAME", ""),
        registrar_latency_ms=int(env.get("REGISTRAR_LATENCY_MS", "0")),
        registrar_failure_rate=float(env.get("REGISTRAR_FAILURE_RATE", "0")),
        registration_retry_base_seconds=int(env.get("REGISTRATION_RETRY_BASE_SECONDS", "2")),
        webhook_allow_loopback=env.get("WEBHOOK_ALLOW_LOOPBACK", "false") == "true",
        webhook_delivery_queue_url=env.get("WEBHOOK_DELIVERY_QUEUE_URL", ""),
        webhook_dead_letter_queue_url=env.get("WEBHOOK_DEAD_LETTER_QUEUE_URL", ""),
        webhook_retry_first_delay_seconds=int(env.get("WEBHOOK_RETRY_FIRST_DELAY_SECONDS", "30")),
        webhook_retry_factor=float(env.get("WEBHOOK_RETRY_FACTOR", "2")),
        webhook_retry_max_age_seconds=int(env.get("WEBHOOK_RETRY_MAX_AGE_SECONDS", str(3 * 24 * 3600))),
        webhook_secrets_key=env.get("WEBHOOK_SECRETS_KEY", ""),
        webhook_tenant_invocations=int(env.get("WEBHOOK_TENANT_INVOCATIONS", "10")),
    )
