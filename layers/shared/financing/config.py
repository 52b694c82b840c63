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
    )
