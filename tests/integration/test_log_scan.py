"""The scan of every integration test's log lines (conftest.py: logs_hold_no_secret) sees what the functions
log, at every level, with their extra keys and tracebacks, so its silence elsewhere means something."""

import json
import sys

import pytest

from tests.integration.harness import call, handler
from tests.integration.test_auth_attacks import authorize
from tests.log_leaks import leaking_lines


def test_the_scan_sees_info_lines_with_their_extra_keys(logs_hold_no_secret):
    with pytest.raises(Exception, match="Unauthorized"):
        authorize("Bearer not.a.jwt")
    lines = logs_hold_no_secret.text().splitlines()
    [line] = [json.loads(line) for line in lines if line.startswith("{") and "token rejected" in line]
    assert line["level"] == "INFO" and line["reason"]


def test_the_scan_finds_a_secret_in_an_unhandled_errors_traceback(aws, logs_hold_no_secret, monkeypatch):
    handler("create_company")

    def failing(*args, **kwargs):
        raise RuntimeError("whsec_c2VjcmV0LWluLWEtdHJhY2ViYWNr for 11.222.333/0001-81")

    monkeypatch.setattr(sys.modules["fn_create_company"], "create_company", failing)
    body = {"name": "Acme", "address": {"country_code": "GB"}}
    assert call("create_company", "POST", "/v1/companies", body=body).status == 500
    found = leaking_lines(logs_hold_no_secret.text())
    assert found and "webhook secret" in found[0] and "tax id" in found[0]
    logs_hold_no_secret.forget()  # logged on purpose: this test's lines are not a leak
