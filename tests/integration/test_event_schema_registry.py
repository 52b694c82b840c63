"""The schema registry the template declares, as the local stack provisions it (moto has no `schemas` service)."""

import json

from financing.domain.event_catalogue import EVENT_TYPES
from local import event_docs


def test_the_local_stack_provisions_one_registry_with_each_event_types_schema(aws):
    (registry,) = aws.schema_registries
    assert registry == f"{aws.stack_name}-events"
    assert aws.attributes["EventSchemaRegistry"]["RegistryName"] == registry
    schemas = aws.schema_registries[registry]
    assert set(schemas) == {event_docs.registry_name(name) for name in EVENT_TYPES}
    financed = schemas["invoice-financing@invoice.financed"]
    assert financed["Type"] == "JSONSchemaDraft4"
    assert json.loads(financed["Content"]) == event_docs.draft4(event_docs.event_schema("invoice.financed"))
    assert aws.physical["EventSchemaInvoiceFinanced"].endswith(
        f"schema/{registry}/invoice-financing@invoice.financed"
    )
