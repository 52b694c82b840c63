"""Who may do what with webhook secrets, as template.yaml grants it: one KMS key (with its alias and a key
policy that leaves its use to IAM), only the deliverer may Decrypt, the functions that store secrets may only
make data keys, and the deliverer reads and writes only what it uses in the table."""

from typing import Any

from local.template import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
KEY = "WebhookSecretsKey"
SEALERS = {
    "CreateWebhookSubscriptionFunction",
    "RegenerateWebhookSecretFunction",
    "UpdateWebhookSubscriptionFunction",  # re-stores a subscription: seals a secret still in plaintext
}


def _statements(function: str) -> list[dict[str, Any]]:
    found = []
    for policy in RESOURCES[function]["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found += policy["Statement"]
    return found


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


def _kms_actions(function: str) -> set[str]:
    granted = set()
    for statement in _statements(function):
        kms = [a for a in _actions(statement) if a.lower().startswith("kms:")]
        if kms:
            assert statement["Resource"] == {"Fn::GetAtt": [KEY, "Arn"]}, (function, statement)
            granted |= set(kms)
    for policy in RESOURCES[function]["Properties"].get("Policies", []):
        assert not (isinstance(policy, dict) and any(name.startswith("KMS") for name in policy)), function
    return granted


def test_one_key_with_an_alias_rotation_and_a_key_policy_that_leaves_its_use_to_iam():
    key = RESOURCES[KEY]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    [statement] = key["Properties"]["KeyPolicy"]["Statement"]
    assert statement["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    aliases = [r for r in RESOURCES.values() if r["Type"] == "AWS::KMS::Alias"]
    assert [a["Properties"]["TargetKeyId"] for a in aliases] == [{"Ref": KEY}]


def test_only_the_deliverer_may_decrypt_and_the_sealers_may_only_make_data_keys():
    functions = [name for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"]
    for function in functions:
        granted = _kms_actions(function)
        if function == "DeliverWebhooksFunction":
            assert granted == {"kms:Decrypt"}
        elif function in SEALERS:
            assert granted == {"kms:GenerateDataKey"}
        else:
            assert granted == set(), function
        environment = RESOURCES[function]["Properties"].get("Environment", {}).get("Variables", {})
        if function in SEALERS | {"DeliverWebhooksFunction"}:
            assert environment["WEBHOOK_SECRETS_KEY"] == {"Fn::GetAtt": [KEY, "Arn"]}, function


def test_the_deliverer_reads_items_and_writes_only_delivery_records():
    policies = RESOURCES["DeliverWebhooksFunction"]["Properties"]["Policies"]
    assert not any(isinstance(p, dict) and "DynamoDBCrudPolicy" in p for p in policies)
    dynamodb = [s for s in _statements("DeliverWebhooksFunction") if _actions(s)[0].startswith("dynamodb:")]
    by_action = {action: s for s in dynamodb for action in _actions(s)}
    assert set(by_action) == {"dynamodb:GetItem", "dynamodb:PutItem"}
    condition = by_action["dynamodb:PutItem"]["Condition"]
    assert condition == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["*#WEBHOOK_DELIVERY#*"]}}
    assert "Condition" not in by_action["dynamodb:GetItem"]
