"""Wire the functions' event sources from their SAM `Events`: API routes, queues, streams, schedules and rules."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from local.apigateway import unrendered_gateway_sources
from local.model import (
    ApiSpec,
    FunctionSpec,
    Route,
    RuleTarget,
    SqsSource,
    Stack,
    StreamSource,
    bus_name,
    pattern_text,
    stable_id,
)
from local.template import Resolver, TemplateError

log = logging.getLogger("local")

# Event source types of AWS::Serverless::Function that the workers and the gateway serve.
FUNCTION_EVENT_TYPES = {
    "Api",
    "SQS",
    "DynamoDB",
    "Schedule",
    "ScheduleV2",
    "EventBridgeRule",
    "CloudWatchEvent",
}


class EventSources:
    """Part of the provisioner (a mixin), run once every resource exists.

    Besides the attributes below it uses the provisioner's name(), put_rule(), add_rule_target() and
    function_for(), which the template's own AWS::Events::Rule resources share.
    """

    stack: Stack
    resolver: Resolver
    clients: Callable[[str], Any]

    def _function_events(self) -> None:
        for logical_id, resource in self.resolver.resources.items():
            if resource.get("Type") == "AWS::Serverless::Api" and logical_id in self.resolver.refs:
                self.stack.apis[logical_id] = self._api(
                    logical_id, self.resolver.resolve(resource.get("Properties"))
                )
        for spec in self.stack.functions.values():
            for event_name, event in spec.events.items():
                kind = event.get("Type")
                if kind not in FUNCTION_EVENT_TYPES:
                    raise TemplateError(
                        f"{spec.logical_id}.{event_name}: event type {kind} is not supported locally"
                    )
                props = event.get("Properties") or {}
                getattr(self, f"_event_{kind.lower()}")(spec, event_name, props)

    def _api(self, logical_id: str, props: Mapping[str, Any] | None) -> ApiSpec:
        props = props or {}
        auth = props.get("Auth") or {}
        authorizers = {}
        for name, config in (auth.get("Authorizers") or {}).items():
            if "FunctionArn" not in config:
                raise TemplateError(
                    f"{logical_id}: authorizer {name} is not a Lambda authorizer; not supported"
                )
            function = self.function_for(config["FunctionArn"], logical_id)
            authorizers[name] = {**config, "Function": function}
        default = auth.get("DefaultAuthorizer")
        if default and default not in authorizers:
            raise TemplateError(f"{logical_id}: DefaultAuthorizer {default} is not supported locally")
        if auth.get("ApiKeyRequired"):
            raise TemplateError(f"{logical_id}: API keys are not supported locally")
        cors = props.get("Cors")
        if isinstance(cors, str):
            cors = {"AllowOrigin": cors}
        preflight_auth = default if auth.get("AddDefaultAuthorizerToCorsPreflight", True) else None
        responses = props.get("GatewayResponses") or {}
        if unrendered := unrendered_gateway_sources(responses):
            raise TemplateError(
                f"{logical_id}: gateway response headers not emulated: {', '.join(unrendered)}"
            )
        return ApiSpec(
            logical_id=logical_id,
            api_id=self.resolver.refs[logical_id],
            stage=str(props.get("StageName", "Prod")),
            authorizers=authorizers,
            gateway_responses=responses,
            binary_media_types=[t.replace("~1", "/") for t in props.get("BinaryMediaTypes") or []],
            cors=cors,
            cors_preflight_authorizer=preflight_auth,
            default_authorizer=default,
            method_settings=list(props.get("MethodSettings") or []),
        )

    def _implicit_api(self) -> ApiSpec:
        # Api events without RestApiId go to the API SAM creates implicitly, with Globals.Api applied.
        if "ServerlessRestApi" not in self.stack.apis:
            props = self.resolver.resolve((self.stack.template.get("Globals") or {}).get("Api") or {})
            self.resolver.set_resource(
                "ServerlessRestApi", stable_id(self.stack.stack_name, "ServerlessRestApi")
            )
            self.stack.apis["ServerlessRestApi"] = self._api(
                "ServerlessRestApi", {"StageName": "Prod", **props}
            )
        return self.stack.apis["ServerlessRestApi"]

    def _event_api(self, spec: FunctionSpec, event_name: str, props: Mapping[str, Any]) -> None:
        if "RestApiId" in props:
            api = next((a for a in self.stack.apis.values() if a.api_id == props["RestApiId"]), None)
            if api is None:
                raise TemplateError(f"{spec.logical_id}.{event_name}: RestApiId is not an API of this stack")
        else:
            api = self._implicit_api()
        auth = props.get("Auth") or {}
        if auth.get("ApiKeyRequired"):
            raise TemplateError(f"{spec.logical_id}.{event_name}: API keys are not supported locally")
        authorizer = auth.get("Authorizer", api.default_authorizer)
        if authorizer in (None, "NONE", ""):
            authorizer = None
        elif authorizer not in api.authorizers:
            raise TemplateError(
                f"{spec.logical_id}.{event_name}: authorizer {authorizer} is not supported locally"
            )
        if (props.get("RequestModel") or {}).get("ValidateBody") or props.get("RequestParameters"):
            log.warning("%s.%s: request validation is not emulated locally", spec.logical_id, event_name)
        method = props["Method"].upper()
        api.routes.append(Route(method, props["Path"], spec.logical_id, api.logical_id, authorizer))

    def _event_sqs(self, spec: FunctionSpec, event_name: str, props: Mapping[str, Any]) -> None:
        arn = props["Queue"]
        self.stack.sqs_sources.append(
            SqsSource(
                function=spec.logical_id,
                event=event_name,
                queue_arn=arn,
                queue_url=self._queue_url(arn),
                batch_size=int(props.get("BatchSize", 10)),
                report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                filters=_filters(props),
                enabled=props.get("Enabled", True) is not False,
                max_concurrency=int((props.get("ScalingConfig") or {}).get("MaximumConcurrency") or 1),
            )
        )

    def _queue_url(self, arn: str) -> str:
        _, _, _, _, account, name = arn.split(":", 5)
        return self.clients("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]

    def _event_dynamodb(self, spec: FunctionSpec, event_name: str, props: Mapping[str, Any]) -> None:
        on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure")) or {}
        failure_arn = on_failure.get("Destination")
        if failure_arn and failure_arn.split(":")[2] != "sqs":
            raise TemplateError(
                f"{spec.logical_id}.{event_name}: only SQS OnFailure destinations are supported"
            )
        self.stack.stream_sources.append(
            StreamSource(
                function=spec.logical_id,
                event=event_name,
                stream_arn=props["Stream"],
                starting_position=props.get("StartingPosition", "LATEST"),
                batch_size=int(props.get("BatchSize", 100)),
                report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                filters=_filters(props),
                max_retries=int(props.get("MaximumRetryAttempts", -1)),
                bisect=bool(props.get("BisectBatchOnFunctionError", False)),
                on_failure_url=self._queue_url(failure_arn) if failure_arn else None,
                on_failure_arn=failure_arn,
                enabled=props.get("Enabled", True) is not False,
            )
        )

    def _event_schedule(self, spec: FunctionSpec, event_name: str, props: Mapping[str, Any]) -> None:
        rule_id = spec.logical_id + event_name  # the logical id SAM gives the generated rule
        name = props.get("Name") or self.name(rule_id, max_length=64)
        enabled = props.get("Enabled", True) is not False and props.get("State", "ENABLED") == "ENABLED"
        arn = self.put_rule(
            name, "default", schedule=props["Schedule"], enabled=enabled, description=props.get("Description")
        )
        self.add_rule_target(
            RuleTarget(
                rule_id,
                name,
                arn,
                spec.logical_id,
                f"{spec.logical_id}{event_name}LambdaTarget",
                schedule=props["Schedule"],
                pattern=None,
                enabled=enabled,
                input=props.get("Input"),
            ),
            "default",
        )

    def _event_schedulev2(self, spec: FunctionSpec, event_name: str, props: Mapping[str, Any]) -> None:
        # EventBridge Scheduler: no rule in moto; the schedule runs on demand or at its rate like the others.
        rule_id = spec.logical_id + event_name
        name = props.get("Name") or self.name(rule_id, max_length=64)
        group = props.get("GroupName", "default")
        arn = f"arn:aws:scheduler:{self.region}:{self.account}:schedule/{group}/{name}"
        enabled = props.get("State", "ENABLED") == "ENABLED"
        self.stack.rules.append(
            RuleTarget(
                rule_id,
                name,
                arn,
                spec.logical_id,
                f"{rule_id}Target",
                schedule=props["ScheduleExpression"],
                pattern=None,
                enabled=enabled,
                input=props.get("Input"),
            )
        )

    def _event_eventbridgerule(self, spec: FunctionSpec, event_name: str, props: Mapping[str, Any]) -> None:
        rule_id = spec.logical_id + event_name
        bus = bus_name(props.get("EventBusName"))
        name = props.get("RuleName") or self.name(rule_id, max_length=64)
        enabled = props.get("State", "ENABLED") == "ENABLED" and props.get("Enabled", True) is not False
        arn = self.put_rule(name, bus, pattern=props["Pattern"], enabled=enabled)
        target = props.get("Target") or {}
        self.add_rule_target(
            RuleTarget(
                rule_id,
                name,
                arn,
                spec.logical_id,
                target.get("Id", f"{rule_id}LambdaTarget"),
                schedule=None,
                pattern=pattern_text(props["Pattern"]),
                enabled=enabled,
                input=props.get("Input"),
                input_path=props.get("InputPath"),
            ),
            bus,
            transformer=props.get("InputTransformer"),
        )

    _event_cloudwatchevent = _event_eventbridgerule


def _filters(props: Mapping[str, Any]) -> list[str]:
    return [f["Pattern"] for f in ((props.get("FilterCriteria") or {}).get("Filters") or [])]
