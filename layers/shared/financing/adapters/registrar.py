"""The built-in B3 simulator of the registrar (the port: services/ports.Registrar).

The simulator keeps one national register shared by every tenant (its own table, keyed by debtor
document and holding number): a receivable someone else registered is refused ("already registered");
the same owner registering again gets its first reference back, so a retried registration registers
once. Latency and a transient-failure rate are settings, so tests can make it slow or flaky.
"""

import secrets
import time

from botocore.exceptions import ClientError

from financing.adapters.aws import client
from financing.adapters.dynamo import to_item
from financing.clock import iso, now
from financing.config import settings
from financing.domain.credit_rights import Outcome, TransientRegistrarError
from financing.ids import new_id

_random = secrets.SystemRandom()


class B3Simulator:
    def __init__(
        self, table_name: str | None = None, latency_ms: int | None = None, failure_rate: float | None = None
    ):
        config = settings()
        self.table_name = table_name or config.registrar_table
        self.latency_ms = config.registrar_latency_ms if latency_ms is None else latency_ms
        self.failure_rate = config.registrar_failure_rate if failure_rate is None else failure_rate

    def _behave(self) -> None:
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self.failure_rate and _random.random() < self.failure_rate:
            raise TransientRegistrarError("registrar unavailable (simulated transient failure)")

    @staticmethod
    def _key(debtor_document: str, holding_number: str) -> dict[str, str]:
        return {"register_key": f"{debtor_document}#{holding_number}"}

    def register(self, owner: str, debtor_document: str, holding_number: str) -> Outcome:
        self._behave()
        key = self._key(debtor_document, holding_number)
        reference = f"B3{new_id('reg').split('_')[1]}"
        try:
            client("dynamodb").put_item(
                TableName=self.table_name,
                Item=to_item({**key, "owner": owner, "reference": reference, "registered_at": iso(now())}),
                ConditionExpression="attribute_not_exists(register_key)",
            )
            return Outcome(accepted=True, reference=reference)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise TransientRegistrarError(str(error)) from error
        existing = (
            client("dynamodb")
            .get_item(TableName=self.table_name, Key=to_item(key), ConsistentRead=True)
            .get("Item")
        )
        if existing and existing["owner"]["S"] == owner:
            return Outcome(accepted=True, reference=existing["reference"]["S"])
        return Outcome(
            accepted=False, message="already registered: this receivable is registered by another lender"
        )

    def inactivate(self, owner: str, debtor_document: str, holding_number: str) -> Outcome:
        self._behave()
        try:
            client("dynamodb").delete_item(
                TableName=self.table_name,
                Key=to_item(self._key(debtor_document, holding_number)),
                ConditionExpression="#o = :owner",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise TransientRegistrarError(str(error)) from error
            return Outcome(accepted=False, message="not registered by this lender")
        return Outcome(accepted=True)
