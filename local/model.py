"""What provisioning produces: deterministic names, and the description of functions, routes and event sources."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.template import Resolver, TemplateError, template_dir


def physical_name(
    stack_name: str, logical_id: str, *, max_length: int, lowercase: bool = False, suffix: str = ""
) -> str:
    """Deterministic name `<stack>-<LogicalId>`, made safe for the service and shortened with a hash if needed."""
    name = f"{stack_name}-{logical_id}"
    if lowercase:
        name = name.lower()
        name = re.sub(r"[^a-z0-9.-]", "-", name)
    else:
        name = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    room = max_length - len(suffix)
    if len(name) > room:
        digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8]
        name = f"{name[: room - 9]}-{digest}"
    return name + suffix


def stable_id(*parts: str, length: int = 10) -> str:
    """Lowercase alphanumeric id derived from its inputs, the shape of API Gateway ids."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    layers: list[Path]
    events: dict[str, dict[str, Any]]  # event name -> {"Type": ..., "Properties": resolved}
    retry_attempts: int = 2  # asynchronous invocations (rule targets)
    dead_letter_queue: str | None = None  # SQS ARN for failed asynchronous invocations


@dataclass
class Route:
    method: str  # upper case, or ANY
    path: str  # as declared, with {param} and {proxy+}
    function: str  # logical id
    api: str  # logical id of the AWS::Serverless::Api
    authorizer: str | None  # authorizer name, None when the route is open


@dataclass
class ApiSpec:
    logical_id: str
    api_id: str
    stage: str
    authorizers: dict[str, dict[str, Any]]
    gateway_responses: dict[str, dict[str, Any]]
    binary_media_types: list[str]
    cors: dict[str, Any] | None
    cors_preflight_authorizer: str | None
    default_authorizer: str | None = None
    routes: list[Route] = field(default_factory=list)
    method_settings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RuleTarget:
    """A rule whose target is one of the stack's functions: a schedule, or a pattern feeding a hidden queue."""

    rule_id: str  # logical id (SAM events: function logical id + event name, as SAM names it)
    rule_name: str
    rule_arn: str
    function: str
    target_id: str
    schedule: str | None
    pattern: str | None
    enabled: bool
    input: str | None = None
    input_path: str | None = None
    queue_url: str | None = None  # the hidden queue pattern rules deliver to


@dataclass
class SqsSource:
    function: str
    event: str
    queue_arn: str
    queue_url: str
    batch_size: int
    report_failures: bool
    filters: list[str]
    enabled: bool
    # Pollers handing batches to the function at once (ScalingConfig.MaximumConcurrency; one if unset).
    max_concurrency: int = 1


@dataclass
class StreamSource:
    function: str
    event: str
    stream_arn: str
    starting_position: str
    batch_size: int
    report_failures: bool
    filters: list[str]
    max_retries: int  # -1: until the record expires
    bisect: bool
    on_failure_url: str | None
    on_failure_arn: str | None
    enabled: bool


@dataclass
class Stack:
    """What provisioning produced: physical ids by logical id, resolved functions, routes and event sources."""

    template: dict[str, Any]
    resolver: Resolver
    stack_name: str
    region: str
    account_id: str
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    apis: dict[str, ApiSpec] = field(default_factory=dict)
    rules: list[RuleTarget] = field(default_factory=list)
    sqs_sources: list[SqsSource] = field(default_factory=list)
    stream_sources: list[StreamSource] = field(default_factory=list)
    # registry name -> schema name -> {"Type", "Description", "Content"}: moto has no schema registry
    schema_registries: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def physical(self) -> dict[str, Any]:
        """`Ref` of every provisioned resource by logical id (table and bucket names, queue URLs, ...)."""
        return dict(self.resolver.refs)

    @property
    def attributes(self) -> dict[str, dict[str, Any]]:
        return self.resolver.attributes

    @property
    def root(self) -> Path:
        return template_dir(self.template)

    def environment(self) -> dict[str, str]:
        """Union of every function's environment; two functions disagreeing on a variable is an error."""
        union: dict[str, str] = {}
        owner: dict[str, str] = {}
        for spec in self.functions.values():
            for key, value in spec.environment.items():
                if key in union and union[key] != value:
                    raise TemplateError(
                        f"{spec.logical_id} and {owner[key]} set {key} to different values; in-process callers "
                        "(integration tests, benchmarks) run several functions in one process and need one value"
                    )
                union[key], owner[key] = value, spec.logical_id
        return union

    def exports(self) -> dict[str, Any]:
        """The stack's exported outputs by export name, as another stack's `Fn::ImportValue` reads them."""
        found = {}
        for output in (self.template.get("Outputs") or {}).values():
            if "Export" not in output:
                continue
            if "Condition" in output and not self.resolver.condition(output["Condition"]):
                continue
            found[self.resolver.resolve(output["Export"]["Name"])] = self.resolver.resolve(output["Value"])
        return found

    def function_by_arn(self, arn: str) -> FunctionSpec | None:
        base = ":".join(arn.split(":")[:7])  # drop a version or alias qualifier
        return next((f for f in self.functions.values() if f.arn == base), None)


def bus_name(value: str | None) -> str:
    """An event bus name from an EventBusName property (a name or an ARN; absent means the default bus)."""
    if not value:
        return "default"
    return value.split("event-bus/", 1)[1] if value.startswith("arn:") else value


def pattern_text(pattern: Any) -> str | None:
    if pattern is None:
        return None
    return pattern if isinstance(pattern, str) else json.dumps(pattern)
