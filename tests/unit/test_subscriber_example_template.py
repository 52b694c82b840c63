"""The subscriber example's template: clean for cfn-lint, subscribed to exactly the event types its handler
types, all of them events the platform announces."""

from cfnlint.api import ManualArgs, lint_file

from financing.domain.event_catalogue import EVENT_TYPES
from local.template import load_yaml
from tests.subscriber_example import EXAMPLE, payload_module


def test_cfn_lint_finds_nothing_in_the_example_template():
    matches = lint_file(EXAMPLE / "template.yaml", config=ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


def test_the_example_subscribes_to_exactly_the_types_its_handler_reads():
    template = load_yaml(EXAMPLE / "template.yaml")
    (function,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    subscribed = set()
    for event in function["Properties"]["Events"].values():
        pattern = event["Properties"]["Pattern"]
        assert pattern["source"] == ["invoice-financing"]
        subscribed |= set(pattern["detail-type"])
    assert subscribed == set(payload_module().PAYLOADS)
    assert subscribed <= EVENT_TYPES
