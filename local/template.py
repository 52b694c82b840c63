"""Load template.yaml into plain dicts and resolve its intrinsic functions, conditions and dynamic references."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from local import settings

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"

# Sentinel for `!Ref AWS::NoValue`: the enclosing key or list item disappears.
NO_VALUE = type("NoValue", (), {"__repr__": lambda self: "AWS::NoValue"})()

# SAM Globals section -> the resource type it applies to.
GLOBAL_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}


class TemplateError(Exception):
    """The template asks for something the local stack cannot or will not do."""


class Unresolved(TemplateError):
    """A value refers to a resource that has not been provisioned yet."""

    def __init__(self, logical_id: str):
        super().__init__(f"{logical_id} is not provisioned yet")
        self.logical_id = logical_id


# ------------------------------------------------------------------------------------------ loading


class _Loader(yaml.SafeLoader):
    """SafeLoader that knows CloudFormation's short tags and keeps dates as strings (as CloudFormation does)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _node_value(loader: yaml.Loader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _short_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value = _node_value(loader, node)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        # "Resource.Attr.With.Dots": only the first dot separates the logical id.
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _short_tag)


def load_yaml(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def load_template(path: str | Path | None = None) -> dict[str, Any]:
    """The template as plain dicts, SAM Globals merged into the resources they apply to."""
    path = Path(path or settings.TEMPLATE)
    template = load_yaml(path)
    template["__path__"] = str(path.resolve())
    apply_globals(template)
    return template


def template_dir(template: Mapping[str, Any]) -> Path:
    return Path(template.get("__path__", settings.TEMPLATE)).resolve().parent


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _INTRINSIC_KEYS


def merge_globals(global_value: Any, local_value: Any) -> Any:
    """SAM's merge: maps merge (local keys win), lists concatenate (globals first), anything else local wins."""
    if _is_intrinsic(global_value) or _is_intrinsic(local_value):
        return local_value
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = dict(global_value)
        for key, value in local_value.items():
            merged[key] = merge_globals(global_value[key], value) if key in global_value else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return global_value + local_value
    return local_value


def apply_globals(template: dict[str, Any]) -> None:
    for section, values in (template.get("Globals") or {}).items():
        resource_type = GLOBAL_SECTIONS.get(section)
        if resource_type is None:
            raise TemplateError(f"Globals.{section} is not a SAM globals section")
        for resource in template.get("Resources", {}).values():
            if resource.get("Type") == resource_type:
                resource["Properties"] = merge_globals(values, resource.get("Properties") or {})


# ----------------------------------------------------------------------------------------- parameters


def parameter_values(
    template: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Parameter values as CloudFormation passes them: strings, lists for list types; validated."""
    overrides = dict(settings.PARAMETER_OVERRIDES if overrides is None else overrides)
    declared = template.get("Parameters") or {}
    unknown = set(overrides) - set(declared)
    if unknown:
        raise TemplateError(f"parameter overrides for undeclared parameters: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in overrides:
            raw = overrides[name]
        elif name in settings.LOCAL_DEFAULTS:
            raw = settings.LOCAL_DEFAULTS[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            raise TemplateError(f"parameter {name} has no Default; give it a value in PARAMETER_OVERRIDES")
        values[name] = _parameter_value(name, spec, raw)
    return values


def _scalar_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parameter_value(name: str, spec: Mapping[str, Any], raw: Any) -> Any:
    kind = spec.get("Type", "String")
    if kind == "CommaDelimitedList" or kind.startswith("List<"):
        items = raw if isinstance(raw, list) else [p.strip() for p in _scalar_str(raw).split(",")]
        return [_scalar_str(item) for item in items]
    if kind.startswith("AWS::SSM::"):
        raise TemplateError(f"parameter {name}: type {kind} is not supported locally")
    value = _scalar_str(raw)
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [_scalar_str(a) for a in allowed]:
        raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
    pattern = spec.get("AllowedPattern")
    if pattern and not re.fullmatch(pattern, value):
        raise TemplateError(f"parameter {name}={value!r} does not match {pattern}")
    if kind == "Number":
        number = float(value)
        if "MinValue" in spec and number < float(spec["MinValue"]):
            raise TemplateError(f"parameter {name}={value} is below MinValue")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            raise TemplateError(f"parameter {name}={value} is above MaxValue")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        raise TemplateError(f"parameter {name} is shorter than MinLength")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        raise TemplateError(f"parameter {name} is longer than MaxLength")
    return value


# ------------------------------------------------------------------------------------------- resolver

_INTRINSIC_KEYS = {
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::If",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::Contains",
    "Fn::ToJsonString",
    "Fn::Length",
    "Fn::ImportValue",
    "Fn::Cidr",
    "Fn::Transform",
}
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:([a-z-]+):(.*?)\}\}")

SecretReader = Callable[[str, str | None, str | None, str | None], str]


class Resolver:
    """Evaluates intrinsic functions against parameters, pseudo parameters and provisioned resources."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        parameters: Mapping[str, Any] | None = None,
        stack_name: str | None = None,
        region: str | None = None,
        account_id: str = ACCOUNT_ID,
        read_secret: SecretReader | None = None,
        imports: Mapping[str, Any] | None = None,
    ):
        self.template = template
        self.imports = dict(imports or {})  # what other stacks export, by export name (Fn::ImportValue)
        self.parameters = dict(parameter_values(template) if parameters is None else parameters)
        self.stack_name = stack_name or settings.STACK_NAME
        self.region = region or settings.REGION
        self.account_id = account_id
        self.read_secret = read_secret
        self.refs: dict[str, Any] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        self._conditions: dict[str, bool] = {}

    # -- resources

    @property
    def resources(self) -> Mapping[str, Any]:
        return self.template.get("Resources") or {}

    def set_resource(self, logical_id: str, ref: Any, attributes: Mapping[str, Any] | None = None) -> None:
        self.refs[logical_id] = ref
        self.attributes[logical_id] = dict(attributes or {})

    def pseudo(self) -> dict[str, Any]:
        return {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackId": (
                f"arn:{PARTITION}:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }

    # -- conditions

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self.template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self._resolve(conditions[name]))
        return self._conditions[name]

    def resource_enabled(self, logical_id: str) -> bool:
        name = self.resources[logical_id].get("Condition")
        return True if name is None else self.condition(name)

    def check_rules(self) -> None:
        """Evaluate the template's Rules section, as CloudFormation does before it deploys anything."""
        for name, rule in (self.template.get("Rules") or {}).items():
            if "RuleCondition" in rule and not self._resolve(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self._resolve(assertion["Assert"]):
                    raise TemplateError(
                        f"rule {name}: {assertion.get('AssertDescription', 'assertion failed')}"
                    )

    # -- evaluation

    def resolve(self, value: Any) -> Any:
        """Fully resolved value; dynamic references `{{resolve:...}}` in strings are read last."""
        return self._dynamic(self._resolve(value))

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                if key in _INTRINSIC_KEYS:
                    return self._intrinsic(key, value[key])
            resolved = {k: self._resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            return [item for item in (self._resolve(v) for v in value) if item is not NO_VALUE]
        return value

    def _intrinsic(self, key: str, arg: Any) -> Any:
        handler = getattr(self, "_fn_" + key.removeprefix("Fn::").lower(), None)
        if handler is None:
            raise TemplateError(f"{key} is not supported locally")
        return handler(arg)

    def _fn_ref(self, name: Any) -> Any:
        name = self._resolve(name)
        if name in self.parameters:
            return self.parameters[name]
        pseudo = self.pseudo()
        if name in pseudo:
            return pseudo[name]
        return self._resource_ref(name)

    def _resource_ref(self, logical_id: str) -> Any:
        if logical_id in self.refs:
            return self.refs[logical_id]
        if logical_id in self.resources:
            if not self.resource_enabled(logical_id):
                raise TemplateError(f"{logical_id} is referenced but its condition is false")
            raise Unresolved(logical_id)
        raise TemplateError(f"unknown reference {logical_id}")

    def _fn_getatt(self, arg: Any) -> Any:
        logical_id, attribute = self._resolve(arg)
        self._resource_ref(logical_id)  # raises Unresolved until provisioned
        attributes = self.attributes.get(logical_id, {})
        if attribute not in attributes:
            raise TemplateError(
                f"{logical_id} has no attribute {attribute} locally (has {sorted(attributes)})"
            )
        return attributes[attribute]

    def _fn_sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self._resolve(v) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} escapes a dollar-brace
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and name.split(".", 1)[0] in self.resources:
                value = self._fn_getatt(name.split(".", 1))
            else:
                value = self._fn_ref(name)
            if isinstance(value, list | dict):
                raise TemplateError(f"Fn::Sub variable {name} is not a string")
            return _scalar_str(value)

        return _SUB_VARIABLE.sub(substitute, text)

    def _fn_importvalue(self, arg: Any) -> Any:
        name = self._resolve(arg)
        if name not in self.imports:
            known = ", ".join(sorted(self.imports)) or "none"
            raise TemplateError(f"Fn::ImportValue: no stack exports {name!r} locally (exported: {known})")
        return self.imports[name]

    def _fn_join(self, arg: Any) -> str:
        delimiter, items = self._resolve(arg)
        return delimiter.join(_scalar_str(item) for item in items)

    def _fn_select(self, arg: Any) -> Any:
        index, items = self._resolve(arg)
        return items[int(index)]

    def _fn_split(self, arg: Any) -> list[str]:
        delimiter, text = self._resolve(arg)
        return text.split(delimiter)

    def _fn_if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        return self._resolve(when_true if self.condition(name) else when_false)

    def _fn_condition(self, name: str) -> bool:
        return self.condition(name)

    def _fn_equals(self, arg: Any) -> bool:
        left, right = self._resolve(arg)
        return _comparable(left) == _comparable(right)

    def _fn_not(self, arg: Any) -> bool:
        return not self._resolve(arg[0])

    def _fn_and(self, arg: Any) -> bool:
        return all(self._resolve(item) for item in arg)

    def _fn_or(self, arg: Any) -> bool:
        return any(self._resolve(item) for item in arg)

    def _fn_contains(self, arg: Any) -> bool:
        items, value = self._resolve(arg)
        return _comparable(value) in [_comparable(item) for item in items]

    def _fn_findinmap(self, arg: Any) -> Any:
        map_name, top, second = (self._resolve(a) for a in arg[:3])
        try:
            return self.template["Mappings"][map_name][top][second]
        except KeyError:
            if len(arg) > 3 and "DefaultValue" in arg[3]:
                return self._resolve(arg[3]["DefaultValue"])
            raise TemplateError(f"Fn::FindInMap: no {map_name}/{top}/{second}") from None

    def _fn_getazs(self, arg: Any) -> list[str]:
        region = self._resolve(arg) or self.region
        return [f"{region}{zone}" for zone in "abc"]

    def _fn_base64(self, arg: Any) -> str:
        return base64.b64encode(_scalar_str(self._resolve(arg)).encode()).decode()

    def _fn_tojsonstring(self, arg: Any) -> str:
        return json.dumps(self._resolve(arg), separators=(",", ":"))

    def _fn_length(self, arg: Any) -> int:
        return len(self._resolve(arg))

    # -- dynamic references

    def _dynamic(self, value: Any) -> Any:
        if isinstance(value, str) and "{{resolve:" in value:
            return _DYNAMIC_REFERENCE.sub(self._dynamic_reference, value)
        if isinstance(value, dict):
            return {k: self._dynamic(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._dynamic(v) for v in value]
        return value

    def _dynamic_reference(self, match: re.Match[str]) -> str:
        service, reference = match.groups()
        if service != "secretsmanager":
            raise TemplateError(f"dynamic reference {{{{resolve:{service}:...}}}} is not supported locally")
        if self.read_secret is None:
            raise TemplateError("a secretsmanager dynamic reference needs the embedded AWS to read from")
        secret_id, fields = split_secret_reference(reference)
        kind = fields[0] if fields else "SecretString"
        if kind != "SecretString":
            raise TemplateError(f"dynamic reference field {kind} is not supported (only SecretString)")
        json_key, stage, version = [*fields[1:], None, None, None][:3]
        return self.read_secret(secret_id, json_key or None, stage or None, version or None)


def split_secret_reference(reference: str) -> tuple[str, list[str]]:
    """`<arn-or-name>:SecretString:key:stage:version` -> (secret id, fields); an ARN has colons of its own."""
    parts = reference.split(":")
    if reference.startswith("arn:"):
        # arn:partition:secretsmanager:region:account:secret:name-suffix
        return ":".join(parts[:7]), parts[7:]
    return parts[0], parts[1:]


def _comparable(value: Any) -> Any:
    return _scalar_str(value) if isinstance(value, str | int | float | bool) else value


def env_string(value: Any) -> str:
    """An environment variable value as Lambda receives it (CloudFormation stringifies scalars)."""
    if isinstance(value, dict | list):
        raise TemplateError(f"environment value {value!r} is not a scalar")
    return _scalar_str(value)
