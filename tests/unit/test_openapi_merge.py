"""Found by the contract fuzzer: two models named alike (the invoice's and the document's `Status` enums)
were merged into one component, so documents were described with the invoice statuses. Generation now
refuses two different components of one name."""

import pytest
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMergeError

from local.openapi import _strict_merge


def _schema(path: str, status: dict) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {path: {"get": {"responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"Status": status}},
    }


def test_two_different_components_with_one_name_stop_the_generation():
    merge = _strict_merge()(title="t", version="1")
    merge.add_schema(_schema("/a", {"enum": ["draft", "new"], "type": "string"}))
    merge.add_schema(_schema("/b", {"enum": ["pending_upload", "uploaded"], "type": "string"}))
    with pytest.raises(OpenAPIMergeError, match="named Status"):
        merge.get_openapi_schema()


def test_the_same_component_shared_by_two_handlers_is_merged_once():
    merge = _strict_merge()(title="t", version="1")
    merge.add_schema(_schema("/a", {"enum": ["draft"], "type": "string"}))
    merge.add_schema(_schema("/b", {"enum": ["draft"], "type": "string"}))
    assert merge.get_openapi_schema()["components"]["schemas"]["Status"]["enum"] == ["draft"]
