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
    pagination_secret: str
    documents_bucket: str
    registrar_table: str = ""
    registrar_latency_ms: int = 0
    registrar_failure_rate: float = 0.0
    registration_retry_base_seconds: int = 2


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        stage=env.get("STAGE", "local"),
        table_name=env.get("TABLE_NAME", ""),
        idempotency_table_name=env.get("IDEMPOTENCY_TABLE_NAME", ""),
        event_bus_name=env.get("EVENT_BUS_NAME", ""),
        pagination_secret=env.get("PAGINATION_SECRET", ""),
        documents_bucket=env.get("DOCUMENTS_BUCKET", ""),
        registrar_table=env.get("REGISTRAR_TABLE_NAME", ""),
        registrar_latency_ms=int(env.get("REGISTRAR_LATENCY_MS", "0")),
        registrar_failure_rate=float(env.get("REGISTRAR_FAILURE_RATE", "0")),
        registration_retry_base_seconds=int(env.get("REGISTRATION_RETRY_BASE_SECONDS", "2")),
    )
