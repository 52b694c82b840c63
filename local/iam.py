"""IAM checked locally: each function's policies as SAM expands them, every AWS call it makes, and whether one allows the other.

Policies come from the SAM translator itself (the template transformed the way `sam deploy` transforms it:
policy templates, event-source and destination policies, managed policies), resolved to the ARNs the
provisioned stack has. Calls are recorded at botocore (API calls and presigned URLs or POSTs, which act
with the signer's permissions) and attributed to the function running them; each maps to the IAM actions
and resources AWS authorizes it by (a DynamoDB transaction per item, SQS batches per message action, an S3
read of a version by s3:GetObjectVersion). `violations()` names every call no statement allows.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:
    from local.template import Resolver

# Only the standard library at import: the local stack's containers record calls with this module, and
# whatever it imports every function would pay for at cold start. The template side is imported lazily.

# The AWS managed policies SAM attaches, as AWS publishes them (their `logs:`/`xray:` parts only matter to
# the Lambda service and the X-Ray daemon; they are here so a role built from them is the deployed one).
_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": [
        {"Effect": "Allow", "Action": _LOGS, "Resource": "*"}
    ],
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
                *_LOGS,
            ],
            "Resource": "*",
        }
    ],
}


@dataclass(frozen=True)
class Permission:
    """One IAM action on one resource ARN: what AWS checks before it serves a call."""

    action: str
    resource: str


@dataclass(frozen=True)
class Call:
    """An AWS call a function made, and the permissions it needs."""

    function: str  # logical id
    service: str
    operation: str
    needs: tuple[Permission, ...]

    def as_json(self) -> list[Any]:
        return [self.function, self.service, self.operation, [[p.action, p.resource] for p in self.needs]]

    @classmethod
    def from_json(cls, value: list[Any]) -> Call:
        function, service, operation, needs = value
        return cls(function, service, operation, tuple(Permission(a, r) for a, r in needs))


# ------------------------------------------------------------------------------------ policies


def _packaged(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template as `sam package` leaves it (code in S3), which is what the translator accepts."""
    packaged = copy.deepcopy({k: v for k, v in template.items() if not k.startswith("__")})
    for logical_id, resource in (packaged.get("Resources") or {}).items():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://packaged-code/{logical_id}"
    return packaged


def sam_roles(template: Mapping[str, Any], resolver: Resolver) -> dict[str, dict[str, Any]]:
    """Each function's execution role (logical id -> AWS::IAM::Role properties) as the SAM translator makes it."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    from local.template import PARTITION, TemplateError

    parameters = {
        **resolver.parameters,
        "AWS::Region": resolver.region,
        "AWS::AccountId": resolver.account_id,
        "AWS::Partition": PARTITION,
        "AWS::StackName": resolver.stack_name,
    }
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=resolver.region))
    transformed = translator.translate(_packaged(template), parameter_values=parameters)
    resources = transformed["Resources"]
    roles = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        role = (resource.get("Properties") or {}).get("Role")
        if not (isinstance(role, dict) and "Fn::GetAtt" in role):
            raise TemplateError(f"{logical_id}: the local IAM check needs the role SAM generates")
        roles[logical_id] = resources[role["Fn::GetAtt"][0]]["Properties"]
    return roles


def expand_policies(
    template: Mapping[str, Any], resolver: Resolver, roles: Mapping[str, Any] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every function's policy statements (logical id -> statements), resolved against the provisioned stack.
    `roles` are `sam_roles(template, ...)` when the caller keeps them (the translation is the slow part)."""
    from local.template import NO_VALUE, TemplateError

    expanded = {}
    for logical_id, role in (roles if roles is not None else sam_roles(template, resolver)).items():
        if logical_id not in resolver.refs:  # a function a condition leaves out
            continue
        statements: list[dict[str, Any]] = []
        for arn in role.get("ManagedPolicyArns") or []:
            arn = resolver.resolve(arn)
            if arn not in MANAGED_POLICIES:
                raise TemplateError(f"{logical_id}: managed policy {arn} is unknown to the local IAM check")
            statements.extend(MANAGED_POLICIES[arn])
        for policy in role.get("Policies") or []:
            policy = resolver.resolve(policy)  # a policy under `!If` is the chosen one, or none
            if policy is NO_VALUE:
                continue
            document = policy["PolicyDocument"]
            found = document.get("Statement", [])
            statements.extend([found] if isinstance(found, dict) else found)
        expanded[logical_id] = [_normalised(logical_id, statement) for statement in statements]
    return expanded


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _normalised(owner: str, statement: Mapping[str, Any]) -> dict[str, Any]:
    unsupported = {"NotAction", "NotResource", "NotPrincipal"} & set(statement)
    if unsupported:
        from local.template import TemplateError

        raise TemplateError(f"{owner}: the local IAM check does not evaluate {sorted(unsupported)}")
    return {
        "Effect": statement["Effect"],
        "Action": _listed(statement["Action"]),
        "Resource": _listed(statement["Resource"]),
        # Conditions need the request's context, which a recorded call does not carry: a conditional
        # Allow counts as an Allow, a conditional Deny is not applied (README: what the check cannot see).
        "Conditional": bool(statement.get("Condition")),
    }


def _matches(pattern: str, value: str, *, ignore_case: bool) -> bool:
    # IAM wildcards: `*` any run of characters (ARN colons included), `?` exactly one; no character classes.
    pattern = pattern.replace("[", "[[]")
    if ignore_case:
        return fnmatchcase(value.lower(), pattern.lower())
    return fnmatchcase(value, pattern)


def allows(statements: list[dict[str, Any]], permission: Permission) -> bool:
    """IAM's decision for identity policies: an explicit Deny wins, else some Allow must match."""
    allowed = False
    for statement in statements:
        if any(_matches(a, permission.action, ignore_case=True) for a in statement["Action"]) and any(
            _matches(r, permission.resource, ignore_case=False) for r in statement["Resource"]
        ):
            if statement["Effect"] == "Deny":
                if statement.get("Conditional"):
                    continue
                return False
            allowed = True
    return allowed


def violations(calls: list[Call], policies: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    """One line per (function, action, resource) its expanded policy does not allow."""
    found: dict[tuple[str, str, str], str] = {}
    for call in calls:
        statements = policies.get(call.function)
        for permission in call.needs:
            if statements is not None and allows(statements, permission):
                continue
            key = (call.function, permission.action, permission.resource)
            found.setdefault(
                key,
                f"{call.function}: {permission.action} on {permission.resource} "
                f"({call.service} {call.operation}) is not allowed by its policy",
            )
    return sorted(found.values())


# ------------------------------------------------------------------------- calls -> permissions


class Arns:
    """ARNs of the resources a call names, in the stack's partition, region and account."""

    def __init__(self, partition: str, region: str, account: str):
        self.partition, self.region, self.account = partition, region, account

    @classmethod
    def of_function(cls, function_arn: str) -> Arns:
        """The partition, region and account a function runs in, from its ARN."""
        _, partition, _, region, account, *_ = function_arn.split(":")
        return cls(partition, region, account)

    def table(self, name: str) -> str:
        if name.startswith("arn:"):
            return name
        return f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{name}"

    def queue(self, url: str) -> str:
        # https://sqs.<region>.amazonaws.com/<account>/<name>, or the embedded AWS's http://host:port/<account>/<name>
        parts = urlparse(url).path.strip("/").split("/")
        account, name = (parts[-2], parts[-1]) if len(parts) >= 2 else (self.account, parts[-1])
        return f"arn:{self.partition}:sqs:{self.region}:{account}:{name}"

    def bus(self, name: str | None) -> str:
        if name and name.startswith("arn:"):
            return name
        return f"arn:{self.partition}:events:{self.region}:{self.account}:event-bus/{name or 'default'}"

    def object(self, bucket: str, key: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}/{key}"

    def bucket(self, bucket: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}"


_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
# SQS authorizes a batch by the action of its single-message form.
_SQS_BATCHES = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
# S3 operations whose IAM action has another name.
_S3_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket"}


def permissions_for(
    service: str, operation: str, params: Mapping[str, Any], arns: Arns
) -> tuple[Permission, ...]:
    """The IAM actions and resources AWS authorizes one call by (AWS's service authorization reference)."""
    if service == "dynamodb":
        return _dynamodb(operation, params, arns)
    if service == "sqs":
        action = _SQS_BATCHES.get(operation, operation)
        if "QueueUrl" in params:
            return (Permission(f"sqs:{action}", arns.queue(params["QueueUrl"])),)
        name = params.get("QueueName", "*")
        return (Permission(f"sqs:{action}", f"arn:{arns.partition}:sqs:{arns.region}:{arns.account}:{name}"),)
    if service == "events" and operation == "PutEvents":
        buses = {arns.bus(entry.get("EventBusName")) for entry in params.get("Entries", [])}
        return tuple(Permission("events:PutEvents", bus) for bus in sorted(buses))
    if service == "s3":
        if "Key" in params:
            action = _S3_ACTIONS.get(operation, operation)
            if action == "GetObject" and params.get("VersionId"):
                action = "GetObjectVersion"
            return (Permission(f"s3:{action}", arns.object(params["Bucket"], params["Key"])),)
        if "Bucket" in params:
            return (Permission(f"s3:{_S3_ACTIONS.get(operation, operation)}", arns.bucket(params["Bucket"])),)
    if service == "secretsmanager" and "SecretId" in params:
        return (Permission(f"secretsmanager:{operation}", params["SecretId"]),)
    if service == "kms" and "KeyId" in params and str(params["KeyId"]).startswith("arn:"):
        return (Permission(f"kms:{operation}", params["KeyId"]),)
    # Anything else is checked against `*`: only a statement granting it on every resource allows it.
    return (Permission(f"{service}:{operation}", "*"),)


def _dynamodb(operation: str, params: Mapping[str, Any], arns: Arns) -> tuple[Permission, ...]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        # No IAM action for a transaction: each item is authorized by its own action on its table.
        needs = []
        for item in params.get("TransactItems", []):
            (kind, body), *_ = item.items()
            needs.append(Permission(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", arns.table(body["TableName"])))
        return tuple(dict.fromkeys(needs))
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return tuple(
            Permission(f"dynamodb:{operation}", arns.table(t)) for t in sorted(params["RequestItems"])
        )
    resource = arns.table(params.get("TableName", "*"))
    if params.get("IndexName"):
        resource += f"/index/{params['IndexName']}"
    return (Permission(f"dynamodb:{operation}", resource),)


# ------------------------------------------------------------------------------------ recording

_acting: contextvars.ContextVar[str | None] = contextvars.ContextVar("acting_function", default=None)


@contextlib.contextmanager
def acting_as(function: str) -> Iterator[None]:
    """AWS calls made inside are the function's (the harness or the container wraps each invocation)."""
    token = _acting.set(function)
    try:
        yield
    finally:
        _acting.reset(token)


class Recorder:
    """Every AWS call made while a function acts, with the permissions it needs; thread-safe."""

    def __init__(self, arns: Arns):
        self.arns = arns
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def add(self, service: str, operation: str, params: Mapping[str, Any]) -> None:
        function = _acting.get()
        if function is None:  # the test's own setup and assertions, the local stack's pollers
            return
        call = Call(function, service, operation, permissions_for(service, operation, params, self.arns))
        with self._lock:
            self.calls.append(call)

    def take(self) -> list[Call]:
        with self._lock:
            calls, self.calls = self.calls, []
        return calls


class Usage:
    """What each function used over a run (function -> action -> resources), written to `path` after each
    addition when one is given: the evidence a narrowed policy is checked against."""

    def __init__(self, path: str | None):
        self.path = path
        self.used: dict[str, dict[str, set[str]]] = {}

    def record(self, calls: list[Call]) -> None:
        if not self.path:
            return
        for call in calls:
            for need in call.needs:
                self.used.setdefault(call.function, {}).setdefault(need.action, set()).add(need.resource)
        import json

        report = {
            f: {a: sorted(r) for a, r in sorted(actions.items())} for f, actions in sorted(self.used.items())
        }
        with open(self.path, "w") as out:
            json.dump(report, out, indent=1)


@contextlib.contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Record through botocore: API calls, presigned URLs and presigned POSTs (which act with the signer's rights)."""
    import botocore.client
    import botocore.signers

    real_call = botocore.client.BaseClient._make_api_call
    real_url = botocore.signers.generate_presigned_url
    real_post = botocore.signers.generate_presigned_post

    def service(client: Any) -> str:
        return client.meta.service_model.signing_name

    def api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        recorder.add(service(self), operation_name, api_params)
        return real_call(self, operation_name, api_params)

    def presigned_url(self: Any, ClientMethod: str, Params: Any = None, *args: Any, **kwargs: Any) -> Any:
        operation = self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
        recorder.add(service(self), operation, Params or {})
        return real_url(self, ClientMethod, Params, *args, **kwargs)

    def presigned_post(self: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:
        recorder.add(service(self), "PutObject", {"Bucket": Bucket, "Key": Key})
        return real_post(self, Bucket, Key, *args, **kwargs)

    # Clients take the presigning functions when their class is made, so clients made before this
    # context lose only presign recording; API calls are recorded on every client.
    botocore.client.BaseClient._make_api_call = api_call
    botocore.signers.generate_presigned_url = presigned_url
    botocore.signers.generate_presigned_post = presigned_post
    try:
        yield recorder
    finally:
        botocore.client.BaseClient._make_api_call = real_call
        botocore.signers.generate_presigned_url = real_url
        botocore.signers.generate_presigned_post = real_post
