"""Create every resource template.yaml declares in the embedded AWS (moto) and describe the functions that use them."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from local import settings
from local.model import (
    FunctionSpec,
    RuleTarget,
    Stack,
    bus_name,
    pattern_text,
    physical_name,
    stable_id,
)
from local.sources import EventSources
from local.template import (
    ACCOUNT_ID,
    Resolver,
    TemplateError,
    Unresolved,
    env_string,
    load_template,
    parameter_values,
)

log = logging.getLogger("local")

Clients = Callable[[str], Any]

# Types with no behaviour to emulate locally (permissions, packaging, monitoring). Anything not here and
# not handled below stops provisioning, so the template cannot drift away from what runs locally.
IGNORED_TYPES = {
    "AWS::Serverless::LayerVersion",  # its ContentUri is put on sys.path by the runtime instead
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::Logs::MetricFilter",
    "AWS::Logs::SubscriptionFilter",
    "AWS::ApiGateway::Account",
}


def client_factory(endpoint_url: str | None = None, region: str | None = None) -> Clients:
    """A thread-safe, caching `service -> boto3 client` for the embedded AWS (or for moto's mock_aws)."""
    region = region or settings.REGION
    if endpoint_url:
        # moto accepts any credentials; fixed ones keep a developer's real profile out of reach.
        session = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
            region_name=region,
        )
    else:
        session = boto3.session.Session(region_name=region)
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=64)
    cache: dict[str, Any] = {}
    lock = threading.Lock()

    def clients(service: str) -> Any:
        with lock:  # creating clients from one session is not thread-safe; using them is
            if service not in cache:
                cache[service] = session.client(service, endpoint_url=endpoint_url, config=config)
            return cache[service]

    return clients


# -------------------------------------------------------------------------------------------- provision


def provision(
    template: dict[str, Any] | None = None,
    clients: Clients | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
    stack_name: str | None = None,
    region: str | None = None,
    imports: Mapping[str, Any] | None = None,
) -> Stack:
    """Create (or find, when they exist already) every resource of the template; idempotent. `imports` are
    the values other stacks export (a subscriber stack imports the product's bus)."""
    template = template if template is not None else load_template()
    region = region or settings.REGION
    clients = clients or client_factory(region=region)
    resolver = Resolver(
        template,
        parameters=parameter_values(template, parameters),
        stack_name=stack_name or settings.STACK_NAME,
        region=region,
        read_secret=_secret_reader(clients),
        imports=imports,
    )
    resolver.check_rules()
    stack = Stack(template, resolver, resolver.stack_name, region, ACCOUNT_ID)
    _Provisioner(stack, clients).run()
    return stack


def _secret_reader(clients: Clients) -> Callable[..., str]:
    def read(secret_id: str, json_key: str | None, stage: str | None, version: str | None) -> str:
        kwargs: dict[str, Any] = {"SecretId": secret_id}
        if stage:
            kwargs["VersionStage"] = stage
        if version:
            kwargs["VersionId"] = version
        value = clients("secretsmanager").get_secret_value(**kwargs)["SecretString"]
        return str(json.loads(value)[json_key]) if json_key else value

    return read


def _lifecycle_rules(configuration: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CloudFormation's lifecycle rules in the S3 API's words (the parts a template here may use)."""
    supported = {"Id", "Status", "Prefix", "NoncurrentVersionExpiration", "ExpirationInDays"}
    rules = []
    for rule in configuration["Rules"]:
        if set(rule) - supported:
            raise TemplateError(
                f"lifecycle rule keys {sorted(set(rule) - supported)} are not supported locally"
            )
        found: dict[str, Any] = {"Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
        if "Id" in rule:
            found["ID"] = rule["Id"]
        if "NoncurrentVersionExpiration" in rule:
            days = int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
            found["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
        if "ExpirationInDays" in rule:
            found["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
        rules.append(found)
    return rules


def _error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


class _Provisioner(EventSources):
    def __init__(self, stack: Stack, clients: Clients):
        self.stack = stack
        self.clients = clients
        self.resolver = stack.resolver
        self.layer_dirs: dict[str, Path] = {}  # layer ARN -> local directory

    @property
    def account(self) -> str:
        return self.stack.account_id

    @property
    def region(self) -> str:
        return self.stack.region

    def name(self, logical_id: str, **kwargs: Any) -> str:
        return physical_name(self.stack.stack_name, logical_id, **kwargs)

    def run(self) -> None:
        resources = self.resolver.resources
        pending = [lid for lid in resources if self.resolver.resource_enabled(lid)]
        handlers = {}
        for logical_id in pending:
            kind = resources[logical_id].get("Type", "")
            handler = getattr(self, "_" + re.sub(r"\W", "_", kind), None)
            if handler is None and kind not in IGNORED_TYPES:
                raise TemplateError(f"{logical_id}: resource type {kind} is not supported by the local stack")
            handlers[logical_id] = handler or self._ignored
        # Resources come up in dependency order: a resource whose properties refer to one not yet
        # provisioned waits for the next round. Handlers resolve everything before creating anything.
        waiting: dict[str, str] = {}
        while pending:
            progressed = False
            for logical_id in list(pending):
                depends = resources[logical_id].get("DependsOn") or []
                depends = [depends] if isinstance(depends, str) else depends
                blocked = next((d for d in depends if d in pending), None)
                if blocked:
                    waiting[logical_id] = blocked
                    continue
                try:
                    ref, attributes = handlers[logical_id](logical_id, resources[logical_id])
                except Unresolved as missing:
                    waiting[logical_id] = missing.logical_id
                    continue
                self.resolver.set_resource(logical_id, ref, attributes)
                pending.remove(logical_id)
                progressed = True
            if not progressed:
                cycle = ", ".join(f"{lid} waits for {waiting.get(lid)}" for lid in pending)
                raise TemplateError(f"cannot order resources: {cycle}")
        self._functions()
        self._function_events()

    def props(self, resource: Mapping[str, Any]) -> dict[str, Any]:
        return self.resolver.resolve(resource.get("Properties") or {})

    # ------------------------------------------------------------------------------- ignored types

    def _ignored(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        kind = resource["Type"]
        name = self.name(logical_id, max_length=64)
        if kind == "AWS::Serverless::LayerVersion":
            props = self.props(resource)
            arn = f"arn:aws:lambda:{self.region}:{self.account}:layer:{name}:1"
            content = props.get("ContentUri")
            if isinstance(content, str):
                self.layer_dirs[arn] = (self.stack.root / content).resolve()
            return arn, {"Arn": arn}
        if kind == "AWS::Lambda::LayerVersion":
            arn = f"arn:aws:lambda:{self.region}:{self.account}:layer:{name}:1"
            return arn, {"Arn": arn}
        if kind.startswith("AWS::IAM::"):
            arn = f"arn:aws:iam::{self.account}:role/{name}"
            return name, {"Arn": arn, "RoleId": stable_id(name, length=21).upper()}
        return name, {"Arn": f"arn:aws:local:{self.region}:{self.account}:{name}"}

    # ----------------------------------------------------------------------------------- functions

    def _AWS__Serverless__Function(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        # Only the identity here: the function's environment may refer to anything, and other resources
        # (log groups, rules, the API's authorizer) refer to the function. The rest comes after all resources.
        props = resource.get("Properties") or {}
        name = self.resolver.resolve(props.get("FunctionName")) or self.name(logical_id, max_length=64)
        arn = f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"
        return name, {"Arn": arn}

    def _AWS__Serverless__Api(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = resource.get("Properties") or {}
        for unsupported in ("DefinitionBody", "DefinitionUri"):
            if unsupported in props:
                raise TemplateError(
                    f"{logical_id}: {unsupported} is not supported locally; routes come from events"
                )
        api_id = stable_id(self.stack.stack_name, logical_id)
        root_id = stable_id(api_id, "/", length=10)
        return api_id, {"RootResourceId": root_id}

    def _functions(self) -> None:
        for logical_id, resource in self.resolver.resources.items():
            if resource.get("Type") != "AWS::Serverless::Function" or logical_id not in self.resolver.refs:
                continue
            raw = resource.get("Properties") or {}
            wanted = ("CodeUri", "Handler", "Timeout", "MemorySize", "Environment", "Layers", "Events")
            props = {k: self.resolver.resolve(raw[k]) for k in wanted if k in raw}
            for key in ("InlineCode", "ImageUri"):
                if key in raw:
                    raise TemplateError(f"{logical_id}: {key} is not supported locally (use CodeUri)")
            code_uri = props.get("CodeUri")
            if not isinstance(code_uri, str):
                raise TemplateError(f"{logical_id}: CodeUri must be a local directory")
            variables = (props.get("Environment") or {}).get("Variables") or {}
            layers = []
            for arn in props.get("Layers", []):
                if arn in self.layer_dirs:
                    layers.append(self.layer_dirs[arn])
                else:
                    log.warning("%s: layer %s has no local content; skipped", logical_id, arn)
            invoke_config = self.resolver.resolve(raw.get("EventInvokeConfig") or {})
            dlq = self.resolver.resolve(raw.get("DeadLetterQueue") or {})
            if dlq and dlq.get("Type") != "SQS":
                raise TemplateError(f"{logical_id}: only an SQS DeadLetterQueue is supported locally")
            self.stack.functions[logical_id] = FunctionSpec(
                logical_id=logical_id,
                name=self.resolver.refs[logical_id],
                arn=self.resolver.attributes[logical_id]["Arn"],
                code_dir=(self.stack.root / code_uri).resolve(),
                handler=props.get("Handler") or "app.lambda_handler",
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                environment={k: env_string(v) for k, v in variables.items()},
                layers=layers,
                events=props.get("Events") or {},
                retry_attempts=int(invoke_config.get("MaximumRetryAttempts", 2)),
                dead_letter_queue=dlq.get("TargetArn"),
            )

    # --------------------------------------------------------------------------------------- data

    def _AWS__DynamoDB__Table(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        name = props.get("TableName") or self.name(logical_id, max_length=255)
        ddb = self.clients("dynamodb")
        try:
            table = ddb.describe_table(TableName=name)["Table"]
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise
            table = ddb.create_table(**self._table_request(name, props))["TableDescription"]
            ttl = props.get("TimeToLiveSpecification")
            if ttl and ttl.get("Enabled"):
                ddb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
                )
        attributes = {"Arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            attributes["StreamArn"] = table["LatestStreamArn"]
        return name, attributes

    @staticmethod
    def _table_request(name: str, props: Mapping[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if "ProvisionedThroughput" in props:
            request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        index_keys = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(kind):
                request[kind] = [{k: index[k] for k in index_keys if k in index} for index in props[kind]]
        stream = props.get("StreamSpecification")
        if stream:
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        return request

    def _AWS__Serverless__SimpleTable(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        key = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        kind = {"String": "S", "Number": "N", "Binary": "B"}[key["Type"]]
        table = {
            "TableName": props.get("TableName"),
            "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": kind}],
            "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        }
        return self._AWS__DynamoDB__Table(logical_id, {"Properties": {k: v for k, v in table.items() if v}})

    def _AWS__S3__Bucket(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        if "NotificationConfiguration" in props:
            raise TemplateError(f"{logical_id}: bucket notifications are not supported locally")
        name = props.get("BucketName") or self.name(logical_id, max_length=63, lowercase=True)
        s3 = self.clients("s3")
        try:
            s3.head_bucket(Bucket=name)
        except ClientError:
            request: dict[str, Any] = {"Bucket": name}
            if self.region != "us-east-1":
                request["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            s3.create_bucket(**request)
            if props.get("VersioningConfiguration"):
                s3.put_bucket_versioning(
                    Bucket=name, VersioningConfiguration=props["VersioningConfiguration"]
                )
            # CloudFormation's bucket properties are the S3 API's, bar a few renamed keys.
            if props.get("BucketEncryption"):
                rules = [
                    {
                        (
                            "ApplyServerSideEncryptionByDefault"
                            if k == "ServerSideEncryptionByDefault"
                            else k
                        ): v
                        for k, v in rule.items()
                    }
                    for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
                s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
            if props.get("PublicAccessBlockConfiguration"):
                s3.put_public_access_block(
                    Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
                )
            if props.get("LoggingConfiguration"):
                # The template makes the bucket wait for the target's policy: S3 refuses a target the logging
                # service may not write to.
                logging_ = props["LoggingConfiguration"]
                s3.put_bucket_logging(
                    Bucket=name,
                    BucketLoggingStatus={
                        "LoggingEnabled": {
                            "TargetBucket": logging_["DestinationBucketName"],
                            "TargetPrefix": logging_.get("LogFilePrefix", ""),
                        }
                    },
                )
            if props.get("LifecycleConfiguration"):
                s3.put_bucket_lifecycle_configuration(
                    Bucket=name,
                    LifecycleConfiguration={"Rules": _lifecycle_rules(props["LifecycleConfiguration"])},
                )
            if props.get("CorsConfiguration"):
                rules = [
                    {("MaxAgeSeconds" if k == "MaxAge" else k): v for k, v in rule.items()}
                    for rule in props["CorsConfiguration"]["CorsRules"]
                ]
                s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        return name, {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{self.region}.amazonaws.com",
            "DualStackDomainName": f"{name}.s3.dualstack.{self.region}.amazonaws.com",
            "WebsiteURL": f"http://{name}.s3-website-{self.region}.amazonaws.com",
        }

    def _AWS__S3__BucketPolicy(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        self.clients("s3").put_bucket_policy(
            Bucket=props["Bucket"], Policy=json.dumps(props["PolicyDocument"])
        )
        return props["Bucket"], {}

    def _AWS__SecretsManager__Secret(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        name = props.get("Name") or self.name(logical_id, max_length=256)
        sm = self.clients("secretsmanager")
        try:
            arn = sm.describe_secret(SecretId=name)["ARN"]
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise
            value = props.get("SecretString")
            if value is None:
                value = self._generate_secret(props.get("GenerateSecretString") or {})
            request = {"Name": name, "SecretString": value}
            if props.get("Description"):
                request["Description"] = props["Description"]
            arn = sm.create_secret(**request)["ARN"]
        return arn, {"Id": arn}

    def _generate_secret(self, spec: Mapping[str, Any]) -> str:
        options = (
            "PasswordLength",
            "ExcludeCharacters",
            "ExcludeNumbers",
            "ExcludePunctuation",
            "ExcludeUppercase",
            "ExcludeLowercase",
            "IncludeSpace",
            "RequireEachIncludedType",
        )
        request = {k: spec[k] for k in options if k in spec}
        password = self.clients("secretsmanager").get_random_password(**request)["RandomPassword"]
        if "SecretStringTemplate" in spec:
            document = json.loads(spec["SecretStringTemplate"])
            document[spec["GenerateStringKey"]] = password
            return json.dumps(document)
        return password

    def _AWS__Logs__LogGroup(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        name = props.get("LogGroupName") or self.name(logical_id, max_length=512)
        logs = self.clients("logs")
        try:
            logs.create_log_group(logGroupName=name)
        except ClientError as error:
            if _error_code(error) != "ResourceAlreadyExistsException":
                raise
        if props.get("RetentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(props["RetentionInDays"]))
        return name, {"Arn": f"arn:aws:logs:{self.region}:{self.account}:log-group:{name}:*"}

    # -------------------------------------------------------------------------------------- queues

    _QUEUE_ATTRIBUTES = (
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "DelaySeconds",
        "FifoQueue",
        "FifoThroughputLimit",
        "KmsDataKeyReusePeriodSeconds",
        "KmsMasterKeyId",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "RedriveAllowPolicy",
        "RedrivePolicy",
        "SqsManagedSseEnabled",
        "VisibilityTimeout",
    )

    def _AWS__SQS__Queue(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        fifo = str(props.get("FifoQueue", "false")).lower() == "true"
        name = props.get("QueueName") or self.name(logical_id, max_length=80, suffix=".fifo" if fifo else "")
        attributes = {}
        for key in self._QUEUE_ATTRIBUTES:
            if key in props:
                value = props[key]
                attributes[key] = json.dumps(value) if isinstance(value, dict) else env_string(value)
        url = self.ensure_queue(name, attributes)
        arn = f"arn:aws:sqs:{self.region}:{self.account}:{name}"
        return url, {"Arn": arn, "QueueName": name, "QueueUrl": url}

    def ensure_queue(self, name: str, attributes: Mapping[str, str]) -> str:
        sqs = self.clients("sqs")
        try:
            return sqs.create_queue(QueueName=name, Attributes=dict(attributes))["QueueUrl"]
        except ClientError as error:
            if _error_code(error) not in ("QueueAlreadyExists", "QueueNameExists"):
                raise
            return sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def _AWS__SQS__QueuePolicy(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        policy = json.dumps(props["PolicyDocument"])
        for url in props.get("Queues", []):
            self.clients("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        return self.name(logical_id, max_length=128), {}

    # ----------------------------------------------------------------------------------------- kms

    def _AWS__KMS__Key(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        # A key has no name: the one this stack made for this resource is found again by its tag.
        props = self.props(resource)
        kms = self.clients("kms")
        tag = {"TagKey": "local:resource", "TagValue": f"{self.stack.stack_name}/{logical_id}"}
        for key in kms.get_paginator("list_keys").paginate().build_full_result()["Keys"]:
            if tag in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]:
                return key["KeyId"], {"Arn": key["KeyArn"], "KeyId": key["KeyId"]}
        request: dict[str, Any] = {
            "KeyUsage": props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            "KeySpec": props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            "Tags": [tag],
        }
        if props.get("Description"):
            request["Description"] = props["Description"]
        if props.get("KeyPolicy"):
            request["Policy"] = json.dumps(props["KeyPolicy"])
        metadata = kms.create_key(**request)["KeyMetadata"]
        if str(props.get("EnableKeyRotation", "false")).lower() == "true":
            kms.enable_key_rotation(KeyId=metadata["KeyId"])
        return metadata["KeyId"], {"Arn": metadata["Arn"], "KeyId": metadata["KeyId"]}

    def _AWS__KMS__Alias(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        kms = self.clients("kms")
        try:
            kms.create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
        except ClientError as error:
            if _error_code(error) != "AlreadyExistsException":
                raise
            kms.update_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
        return props["AliasName"], {}

    # -------------------------------------------------------------------------------------- events

    def _AWS__Events__EventBus(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        name = props["Name"]
        events = self.clients("events")
        try:
            arn = events.describe_event_bus(Name=name)["Arn"]
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise
            arn = events.create_event_bus(Name=name)["EventBusArn"]
        return name, {"Arn": arn, "Name": name}

    def _AWS__Events__Archive(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        # Archiving and replay windows are moto's, with the replay fixed to honour them (local/moto_replay.py).
        props = self.props(resource)
        name = props.get("ArchiveName") or self.name(logical_id, max_length=48)
        events = self.clients("events")
        try:
            arn = events.describe_archive(ArchiveName=name)["ArchiveArn"]
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise
            request: dict[str, Any] = {"ArchiveName": name, "EventSourceArn": props["SourceArn"]}
            if props.get("EventPattern") is not None:
                request["EventPattern"] = pattern_text(props["EventPattern"])
            if props.get("RetentionDays") is not None:
                request["RetentionDays"] = int(props["RetentionDays"])
            if props.get("Description"):
                request["Description"] = props["Description"]
            arn = events.create_archive(**request)["ArchiveArn"]
        return name, {"Arn": arn, "ArchiveName": name}

    # moto has no EventBridge schema registry: the stack keeps the template's registries and schemas, and the
    # local API serves them at /schemas (local/gateway.py), as `aws schemas describe-schema` would.
    def _AWS__EventSchemas__Registry(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        name = self.props(resource).get("RegistryName") or self.name(logical_id, max_length=64)
        self.stack.schema_registries.setdefault(name, {})
        arn = f"arn:aws:schemas:{self.region}:{self.account}:registry/{name}"
        return arn, {"RegistryArn": arn, "RegistryName": name}

    def _AWS__EventSchemas__Schema(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        registry, name = (
            props["RegistryName"],
            props.get("SchemaName") or self.name(logical_id, max_length=64),
        )
        if registry not in self.stack.schema_registries:
            raise TemplateError(f"{logical_id}: no schema registry named {registry}")
        if props["Type"] not in ("JSONSchemaDraft4", "OpenApi3"):
            raise TemplateError(
                f"{logical_id}: schema type {props['Type']} is neither JSONSchemaDraft4 nor OpenApi3"
            )
        try:
            json.loads(props["Content"])
        except ValueError as error:
            raise TemplateError(f"{logical_id}: Content is not JSON ({error})") from error
        self.stack.schema_registries[registry][name] = {
            "Type": props["Type"],
            "Description": props.get("Description", ""),
            "Content": props["Content"],
        }
        arn = f"arn:aws:schemas:{self.region}:{self.account}:schema/{registry}/{name}"
        return arn, {"SchemaArn": arn, "SchemaName": name, "SchemaVersion": "1"}

    def _AWS__Events__Rule(self, logical_id: str, resource: Mapping[str, Any]) -> tuple[Any, dict]:
        props = self.props(resource)
        bus = bus_name(props.get("EventBusName"))
        name = props.get("Name") or self.name(logical_id, max_length=64)
        enabled = props.get("State", "ENABLED") == "ENABLED"
        pattern = props.get("EventPattern")
        arn = self.put_rule(
            name,
            bus,
            pattern=pattern,
            schedule=props.get("ScheduleExpression"),
            enabled=enabled,
            description=props.get("Description"),
        )
        sqs_targets = []
        for target in props.get("Targets", []):
            service = target["Arn"].split(":")[2]
            function = self.function_for(target["Arn"], logical_id)
            if service == "sqs":
                keys = (
                    "Id",
                    "Arn",
                    "Input",
                    "InputPath",
                    "InputTransformer",
                    "SqsParameters",
                    "DeadLetterConfig",
                )
                sqs_targets.append({k: target[k] for k in keys if k in target})
            elif function:
                self.add_rule_target(
                    RuleTarget(
                        rule_id=logical_id,
                        rule_name=name,
                        rule_arn=arn,
                        function=function,
                        target_id=target["Id"],
                        schedule=props.get("ScheduleExpression"),
                        pattern=pattern_text(pattern),
                        enabled=enabled,
                        input=target.get("Input"),
                        input_path=target.get("InputPath"),
                    ),
                    bus,
                    transformer=target.get("InputTransformer"),
                )
            else:
                raise TemplateError(f"{logical_id}: target {target['Arn']} is not supported locally")
        if sqs_targets:
            self.clients("events").put_targets(Rule=name, EventBusName=bus, Targets=sqs_targets)
        ref = name if bus == "default" else f"{bus}|{name}"
        return ref, {"Arn": arn}

    def function_for(self, arn: str, owner: str) -> str | None:
        if arn.split(":")[2] != "lambda":
            return None
        for logical_id, attributes in self.resolver.attributes.items():
            kind = self.resolver.resources.get(logical_id, {}).get("Type")
            if kind == "AWS::Serverless::Function" and ":".join(arn.split(":")[:7]) == attributes.get("Arn"):
                return logical_id
        raise TemplateError(f"{owner}: {arn} is not a function of this stack")

    def put_rule(
        self,
        name: str,
        bus: str,
        *,
        pattern: Any = None,
        schedule: str | None = None,
        enabled: bool = True,
        description: str | None = None,
    ) -> str:
        request: dict[str, Any] = {
            "Name": name,
            "EventBusName": bus,
            "State": "ENABLED" if enabled else "DISABLED",
        }
        if pattern is not None:
            request["EventPattern"] = pattern_text(pattern)
        if schedule:
            request["ScheduleExpression"] = schedule
        if description:
            request["Description"] = description
        return self.clients("events").put_rule(**request)["RuleArn"]

    def add_rule_target(
        self, target: RuleTarget, bus: str, transformer: Mapping[str, Any] | None = None
    ) -> None:
        if target.pattern is not None and target.enabled:
            # Pattern rules deliver to a hidden queue so moto's own matching decides what the function gets.
            queue = self.name(f"{target.rule_id}-{target.target_id}", max_length=80)
            spec = self.stack.functions.get(target.function)
            visibility = str((spec.timeout if spec else 60) + 5)
            target.queue_url = self.ensure_queue(queue, {"VisibilityTimeout": visibility})
            moto_target: dict[str, Any] = {"Id": target.target_id, "Arn": self._queue_arn(queue)}
            if transformer:
                moto_target["InputTransformer"] = transformer
            self.clients("events").put_targets(Rule=target.rule_name, EventBusName=bus, Targets=[moto_target])
        self.stack.rules.append(target)

    def _queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{name}"
