"""The local stack's template loader and intrinsic-function resolver."""

import textwrap

import pytest

from local.model import physical_name
from local.template import (
    NO_VALUE,
    Resolver,
    TemplateError,
    Unresolved,
    apply_globals,
    load_template,
    load_yaml,
    merge_globals,
    parameter_values,
    split_secret_reference,
)


def _yaml(tmp_path, text):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    return load_yaml(path)


def test_short_tags_become_plain_intrinsics(tmp_path):
    doc = _yaml(
        tmp_path,
        """
        AWSTemplateFormatVersion: 2010-09-09
        A: !Ref Thing
        B: !GetAtt Table.StreamArn
        C: !GetAtt Db.Endpoint.Address
        D: !GetAtt [Queue, Arn]
        E: !Sub "${AWS::StackName}-x"
        F: !Sub ["${a}-${b}", {a: 1, b: !Ref P}]
        G: !If [IsProd, x, !Ref AWS::NoValue]
        H: !Not [!Equals [!Ref P, ""]]
        I: !Join [",", [a, b]]
        J: !Select [1, !Split [",", "a,b,c"]]
        K: !FindInMap [M, k, v]
        L: !GetAZs ""
        N: !Condition IsProd
        """,
    )
    assert doc["AWSTemplateFormatVersion"] == "2010-09-09"  # a string, not a date
    assert doc["A"] == {"Ref": "Thing"}
    assert doc["B"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert doc["C"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}
    assert doc["D"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert doc["E"] == {"Fn::Sub": "${AWS::StackName}-x"}
    assert doc["F"] == {"Fn::Sub": ["${a}-${b}", {"a": 1, "b": {"Ref": "P"}}]}
    assert doc["G"] == {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}
    assert doc["H"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]}
    assert doc["I"] == {"Fn::Join": [",", ["a", "b"]]}
    assert doc["J"] == {"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}
    assert doc["K"] == {"Fn::FindInMap": ["M", "k", "v"]}
    assert doc["L"] == {"Fn::GetAZs": ""}
    assert doc["N"] == {"Condition": "IsProd"}


TEMPLATE = {
    "Parameters": {
        "Stage": {"Type": "String", "AllowedValues": ["local", "prod"], "Default": "local"},
        "Days": {"Type": "Number", "Default": 30},
        "Zones": {"Type": "CommaDelimitedList", "Default": "a, b"},
    },
    "Mappings": {"Sizes": {"local": {"Memory": 128}}},
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Both": {"Fn::And": [{"Condition": "NotProd"}, {"Fn::Equals": [{"Ref": "Days"}, 30]}]},
    },
    "Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table"},
        "Secret": {"Type": "AWS::SecretsManager::Secret"},
        "ProdOnly": {"Type": "AWS::SQS::Queue", "Condition": "IsProd"},
    },
}


def _resolver(**kwargs):
    return Resolver(TEMPLATE, stack_name="stk", region="eu-west-1", **kwargs)


def test_parameters_take_defaults_overrides_and_are_validated():
    assert parameter_values(TEMPLATE, {}) == {"Stage": "local", "Days": "30", "Zones": ["a", "b"]}
    assert parameter_values(TEMPLATE, {"Stage": "prod"})["Stage"] == "prod"
    with pytest.raises(TemplateError, match="not one of"):
        parameter_values(TEMPLATE, {"Stage": "qa"})
    with pytest.raises(TemplateError, match="undeclared"):
        parameter_values(TEMPLATE, {"Nope": "x"})


def test_refs_pseudo_parameters_and_sub():
    r = _resolver(parameters=parameter_values(TEMPLATE, {}))
    assert r.resolve({"Ref": "AWS::StackName"}) == "stk"
    assert r.resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert r.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert r.resolve({"Ref": "AWS::Partition"}) == "aws"
    assert r.resolve({"Fn::Sub": "${AWS::StackName}-${Stage}-${Days}"}) == "stk-local-30"
    assert r.resolve({"Fn::Sub": ["${a}/${Stage}", {"a": {"Ref": "AWS::Region"}}]}) == "eu-west-1/local"


def test_sub_escape_keeps_a_literal_dollar_brace():
    r = _resolver(parameters={})
    assert r.resolve({"Fn::Sub": "${!Literal}"}) == "${Literal}"


def test_resources_resolve_once_provisioned():
    r = _resolver(parameters=parameter_values(TEMPLATE, {}))
    with pytest.raises(Unresolved) as missing:
        r.resolve({"Fn::GetAtt": ["Table", "StreamArn"]})
    assert missing.value.logical_id == "Table"
    r.set_resource("Table", "stk-Table", {"Arn": "arn:table", "StreamArn": "arn:stream"})
    assert r.resolve({"Ref": "Table"}) == "stk-Table"
    assert r.resolve({"Fn::GetAtt": ["Table", "StreamArn"]}) == "arn:stream"
    assert r.resolve({"Fn::Sub": "${Table}|${Table.Arn}"}) == "stk-Table|arn:table"
    with pytest.raises(TemplateError, match="no attribute"):
        r.resolve({"Fn::GetAtt": ["Table", "Nope"]})
    with pytest.raises(TemplateError, match="unknown reference"):
        r.resolve({"Ref": "Missing"})
    with pytest.raises(TemplateError, match="condition is false"):
        r.resolve({"Ref": "ProdOnly"})


def test_conditions_if_and_no_value():
    r = _resolver(parameters=parameter_values(TEMPLATE, {}))
    assert r.condition("IsProd") is False
    assert r.condition("NotProd") is True
    assert r.condition("Both") is True
    value = {
        "A": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]},
        "B": [1, {"Fn::If": ["NotProd", 2, 3]}],
    }
    assert r.resolve(value) == {"B": [1, 2]}
    assert r.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE
    assert r.resource_enabled("ProdOnly") is False


def test_join_select_split_findinmap_getazs():
    r = _resolver(parameters=parameter_values(TEMPLATE, {}))
    assert r.resolve({"Fn::Join": ["-", ["a", {"Ref": "Stage"}, 3]]}) == "a-local-3"
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert r.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 128
    assert r.resolve({"Fn::GetAZs": ""}) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert r.resolve({"Fn::Select": [0, {"Ref": "Zones"}]}) == "a"


def test_unsupported_intrinsics_fail_loudly():
    r = _resolver(parameters={})
    with pytest.raises(TemplateError, match="Fn::ImportValue"):
        r.resolve({"Fn::ImportValue": "x"})


def test_dynamic_secret_references_read_the_embedded_aws():
    calls = []

    def read(secret_id, key, stage, version):
        calls.append((secret_id, key, stage, version))
        return "s3cret" if key is None else "field"

    r = _resolver(parameters={}, read_secret=read)
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stk-Secret-AbCdEf"
    r.set_resource("Secret", arn)
    assert r.resolve({"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString}}"}) == "s3cret"
    assert r.resolve("x-{{resolve:secretsmanager:name:SecretString:password}}-y") == "x-field-y"
    assert calls == [(arn, None, None, None), ("name", "password", None, None)]


def test_secret_reference_split_keeps_arns_whole():
    arn = "arn:aws:secretsmanager:us-east-1:1:secret:n-AbC"
    assert split_secret_reference(f"{arn}:SecretString:k") == (arn, ["SecretString", "k"])
    assert split_secret_reference("name:SecretString") == ("name", ["SecretString"])


def test_rules_are_checked():
    template = {
        "Parameters": {
            "Stage": {"Type": "String", "Default": "prod"},
            "Url": {"Type": "String", "Default": ""},
        },
        "Rules": {
            "NeedsUrl": {
                "RuleCondition": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
                "Assertions": [
                    {
                        "Assert": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Url"}, ""]}]},
                        "AssertDescription": "set Url",
                    }
                ],
            }
        },
    }
    with pytest.raises(TemplateError, match="set Url"):
        Resolver(template, parameters=parameter_values(template, {})).check_rules()
    Resolver(template, parameters=parameter_values(template, {"Stage": "dev"})).check_rules()


def test_globals_merge_like_sam():
    merged = merge_globals(
        {"Timeout": 10, "Layers": ["g"], "Environment": {"Variables": {"A": "1", "B": "1"}}},
        {"Timeout": 60, "Layers": ["l"], "Environment": {"Variables": {"B": "2"}}},
    )
    assert merged == {"Timeout": 60, "Layers": ["g", "l"], "Environment": {"Variables": {"A": "1", "B": "2"}}}
    # An intrinsic on either side is a value, not a map to merge.
    assert merge_globals({"Variables": {"A": "1"}}, {"Fn::If": ["C", {}, {}]}) == {"Fn::If": ["C", {}, {}]}
    template = {
        "Globals": {"Function": {"Timeout": 10}},
        "Resources": {"F": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "x"}}},
    }
    apply_globals(template)
    assert template["Resources"]["F"]["Properties"] == {"Timeout": 10, "CodeUri": "x"}


def test_the_project_template_loads_with_globals_in_every_function():
    template = load_template()
    global_variables = set(template["Globals"]["Function"]["Environment"]["Variables"])
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert functions
    for function in functions:
        assert global_variables <= set(function["Properties"]["Environment"]["Variables"])


def test_physical_names_are_deterministic_and_safe():
    assert physical_name("stk", "Table", max_length=255) == "stk-Table"
    assert physical_name("Stk", "Bucket", max_length=63, lowercase=True) == "stk-bucket"
    long = physical_name("stack", "X" * 100, max_length=80, suffix=".fifo")
    assert len(long) == 80 and long.endswith(".fifo")
    assert long == physical_name("stack", "X" * 100, max_length=80, suffix=".fifo")
