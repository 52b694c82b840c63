"""What the template declares once is what everything else follows: each route's scope is one of the
enumerated scopes (and each scope opens some route), and each function has exactly one log group."""

import pytest

from financing.auth.scopes import Scope
from local.routes import functions, required_scope
from local.template import load_template

TEMPLATE = load_template()
FUNCTIONS = functions(TEMPLATE)
ROUTES = [(f, route) for f in FUNCTIONS for route in f.routes]


@pytest.mark.parametrize(("function", "route"), ROUTES, ids=[f"{r[0]} {r[1]}" for _, r in ROUTES])
def test_each_route_needs_one_enumerated_scope_unless_the_authorizer_does_not_guard_it(function, route):
    _, _, guarded = route
    scope = required_scope(function.code_dir)
    if guarded:
        assert isinstance(scope, Scope), f"{function.logical_id} needs {scope!r}, not a member of Scope"
    else:
        assert scope is None, (
            f"{function.logical_id}'s route takes no bearer JWT, yet its handler needs {scope}"
        )


def test_every_scope_opens_some_route():
    needed = {required_scope(function.code_dir) for function, _ in ROUTES}
    assert set(Scope) - needed == set(), "a scope no route needs: remove it from Scope"


def test_the_token_tool_grants_exactly_the_enumerated_scopes():
    from local.token import ALL_SCOPES

    assert tuple(Scope) == ALL_SCOPES


def _log_groups() -> dict[str, dict]:
    return {k: r for k, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup"}


def _named_function(log_group: dict) -> str | None:
    name = log_group["Properties"]["LogGroupName"]
    if isinstance(name, dict) and isinstance(name.get("Fn::Sub"), str):
        sub = name["Fn::Sub"]
        if sub.startswith("/aws/lambda/${") and sub.endswith("}"):
            return sub.removeprefix("/aws/lambda/${").removesuffix("}")
    return None


def test_each_function_has_exactly_one_log_group_named_after_it_with_the_agreed_retention():
    by_function: dict[str, list[str]] = {}
    for logical_id, log_group in _log_groups().items():
        if (function := _named_function(log_group)) is not None:
            by_function.setdefault(function, []).append(logical_id)
            assert logical_id == f"{function}LogGroup", logical_id
            assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, logical_id
    for function in FUNCTIONS:
        assert by_function.get(function.logical_id) == [f"{function.logical_id}LogGroup"], function.logical_id


def test_no_log_group_is_an_orphan():
    """A log group names a function of the template, or is one of the APIs' access logs."""
    access_logs = {
        api["Properties"]["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
        for api in TEMPLATE["Resources"].values()
        if api["Type"] == "AWS::Serverless::Api" and "AccessLogSetting" in api["Properties"]
    }
    names = {function.logical_id for function in FUNCTIONS}
    for logical_id, log_group in _log_groups().items():
        if logical_id in access_logs:
            assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, logical_id
        else:
            assert _named_function(log_group) in names, f"{logical_id} belongs to no function"
