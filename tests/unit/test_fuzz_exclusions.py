"""What the contract fuzzing's reviewed-refusals check reads from each family's error envelope."""

from tests.e2e.fuzz_hooks import blamed


def test_each_familys_refusal_names_its_fields_without_indexes():
    core = {"error": {"code": "validation_failed", "details": [{"field": "contacts.3.id", "message": "x"}]}}
    assert blamed(core) == {"contacts.id"}
    assert blamed({"error": {"code": "invalid_cursor", "details": []}}) == {"invalid_cursor"}
    pismo = {"correlationId": "c", "errors": ["credit_operations[0].operation_value: must be...", "x: y"]}
    assert blamed(pismo) == {"credit_operations.operation_value", "x"}
    monite = {"detail": [{"loc": ["query", "pagination_token"], "msg": "m", "type": "t"}]}
    assert blamed(monite) == {"pagination_token"}
    assert blamed({"detail": [{"loc": ["body", "invoices", 0, "id"]}]}) == {"invoices.id"}
    assert blamed("not json") == set()
