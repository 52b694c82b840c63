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


def test_a_seeded_field_is_set_only_where_the_body_stays_schema_valid(monkeypatch):
    from tests.e2e import fuzz_hooks

    monkeypatch.setattr(fuzz_hooks, "_seeded", lambda: True)
    key = ("POST", "/v1/invoices")
    body = {
        "supplier": "s",
        "buyer": "b",
        "invoice_number": "1",
        "client_reference_id": "r",
        "invoice_document": "d",
        "amount": 5,
        "currency": "eur",
        "type_of_goods": ["other"],
        "issue_date": "2026-01-01",
        "due_date": "2026-02-01",
    }
    seeds = {"currency": ["usd"], "supplier": ["company_1"]}
    assert fuzz_hooks.seeded_body(key, body, seeds) == {**body, "currency": "usd", "supplier": "company_1"}
    # A brl draft naming a receivable: a seeded usd would break the document's "only brl names one".
    receivable = {**body, "currency": "brl", "credit_rights_internal_number": "CR-1"}
    assert fuzz_hooks.seeded_body(key, receivable, seeds) == receivable


def test_the_callers_token_replaces_made_up_credentials_but_not_a_links_connect_token(monkeypatch):
    from tests.e2e.fuzz_hooks import CallersToken

    class Case:
        def __init__(self, headers):
            self.headers = headers

    generated, linked = Case({"Authorization": "Bearer made-up"}), Case({"authorization": "Bearer connect"})
    CallersToken().set(generated, "jwt", None)
    CallersToken().set(linked, "jwt", None)
    assert generated.headers == {"Authorization": "Bearer jwt"}
    assert linked.headers == {"authorization": "Bearer connect"}


def test_the_trace_counts_the_invoices_each_status_was_reached_by_and_the_funded_ledger_reads():
    from tests.e2e.fuzzing import reached

    trace = [
        {
            "phase": "stateful",
            "operation": "POST /v1/invoices",
            "code": 201,
            "invoice": "i1",
            "status": "draft",
        },
        {
            "phase": "stateful",
            "operation": "GET /v1/ledger/entries",
            "code": 200,
            "invoice": "i1",
            "entries": 0,
        },
        {
            "phase": "stateful",
            "operation": "POST /v1/x/fund",
            "code": 200,
            "invoice": "i1",
            "status": "financed",
        },
        {
            "phase": "stateful",
            "operation": "POST /v1/x/fund",
            "code": 200,
            "invoice": "i1",
            "status": "financed",
        },
        {
            "phase": "stateful",
            "operation": "GET /v1/ledger/entries",
            "code": 200,
            "invoice": "i2",
            "entries": 3,
        },
        {
            "phase": "stateful",
            "operation": "GET /v1/ledger/entries",
            "code": 200,
            "invoice": "i1",
            "entries": 3,
        },
        {"phase": "stateful", "operation": "GET /v1/financing_connect", "code": 401, "refused": ["x"]},
        {"phase": "stateful", "operation": "GET /v1/financing_connect", "code": 200},
        {
            "phase": "fuzzing",
            "operation": "POST /v1/invoices",
            "code": 201,
            "invoice": "i3",
            "status": "draft",
        },
    ]
    counts = reached(trace)
    assert counts["stateful"] == {
        "draft": 1,
        "financed": 1,
        "ledger read of a funded invoice": 1,
        "GET /v1/financing_connect": 1,
    }
    assert counts["fuzzing"] == {"draft": 1}


def test_a_scenario_starts_with_a_create_never_with_an_action_on_an_item():
    from types import SimpleNamespace

    from schemathesis.specs.openapi import stateful

    import tests.e2e.fuzz_hooks  # noqa: F401  (installs the rule)

    def operation(method, path_parameters):
        return SimpleNamespace(method=method, path_parameters=path_parameters)

    starts = stateful.is_likely_root_transition
    assert starts(operation("post", []), None, set())
    assert not starts(operation("post", ["invoice_id"]), None, set())
    assert not starts(operation("get", ["invoice_id"]), None, set())
