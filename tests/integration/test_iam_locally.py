"""IAM exercised locally: a function calling what its policy (as SAM expands it) lacks is caught, naming function, action and resource."""

import copy
import re

from hypothesis import given
from hypothesis import strategies as st

from financing.config import settings
from local import iam
from tests.integration.conftest import TEMPLATE
from tests.integration.harness import call
from tests.integration.test_companies_api import ACME_BR
from tests.integration.test_documents_api import BODY as DOCUMENT

ARNS = iam.Arns("aws", "us-east-1", "123456789012")


def without_policy(function: str, mentioning: str) -> dict:
    """A copy of the template whose function has lost the policy entry that mentions `mentioning`."""
    template = copy.deepcopy(TEMPLATE)
    policies = template["Resources"][function]["Properties"]["Policies"]
    kept = [entry for entry in policies if mentioning not in repr(entry)]
    assert len(kept) == len(policies) - 1, f"{function} has no single policy mentioning {mentioning}"
    template["Resources"][function]["Properties"]["Policies"] = kept
    return template


def checked_against(template: dict, stack, act) -> list[str]:
    """The violations `act` causes, judged by the policies `template` gives the functions."""
    recorder = iam.Recorder(ARNS)
    with iam.recording(recorder):
        act()
    return iam.violations(recorder.take(), iam.expand_policies(template, stack.resolver))


def test_a_presigned_post_whose_signer_lacks_s3_put_object_is_caught(aws):
    # Given the documents signer without its S3 write statement
    template = without_policy("CreateDocumentFunction", "s3:PutObject")

    # When a document is created (its upload form presigned), then the missing s3:PutObject is named
    def create():
        assert call("create_document", "POST", "/v1/documents", body=DOCUMENT).status == 201

    denied = checked_against(template, aws, create)
    bucket = settings().documents_bucket
    assert len(denied) == 1
    assert re.fullmatch(
        rf"CreateDocumentFunction: s3:PutObject on arn:aws:s3:::{bucket}/acme/doc_\w+ \(s3 PutObject\) "
        "is not allowed by its policy",
        denied[0],
    ), denied


def test_a_transaction_item_the_policy_lacks_is_caught_per_item_action(aws):
    # Given CreateCompanyFunction without its write policy on the entities table
    template = without_policy("CreateCompanyFunction", "DynamoDBWritePolicy")

    # When a company is created (one transaction: the company and its outbox entry)
    def create():
        assert call("create_company", "POST", "/v1/companies", body=ACME_BR).status == 201

    # Then the item action is named (IAM has no dynamodb:TransactWriteItems), not the transaction
    table = f"arn:aws:dynamodb:us-east-1:123456789012:table/{settings().table_name}"
    assert checked_against(template, aws, create) == [
        f"CreateCompanyFunction: dynamodb:PutItem on {table} (dynamodb TransactWriteItems) is not allowed by its policy"
    ]


def test_the_unchanged_template_allows_the_same_calls(aws):
    def create():
        assert call("create_company", "POST", "/v1/companies", body=ACME_BR).status == 201
        assert call("create_document", "POST", "/v1/documents", body=DOCUMENT).status == 201

    assert checked_against(TEMPLATE, aws, create) == []


def test_every_function_of_the_template_has_its_expanded_policies(aws):
    functions = [lid for lid, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    policies = iam.expand_policies(TEMPLATE, aws.resolver)
    assert sorted(policies) == sorted(functions)
    # resolved to the provisioned stack's ARNs: no intrinsic function is left in any statement
    assert "Fn::" not in repr(policies) and "'Ref'" not in repr(policies)
    # and SAM's own additions are there: the stream relay's on-failure destination, X-Ray, logs
    relay = policies["OutboxRelayFunction"]
    dlq = aws.attributes["OutboxDeadLetterQueue"]["Arn"]
    assert iam.allows(relay, iam.Permission("sqs:SendMessage", dlq))
    assert iam.allows(relay, iam.Permission("xray:PutTraceSegments", "*"))


def test_a_call_made_outside_any_function_is_not_attributed(aws):
    recorder = iam.Recorder(ARNS)
    with iam.recording(recorder):
        from financing.adapters.aws import client

        client("dynamodb").scan(TableName=settings().table_name)
    assert recorder.take() == []


# ------------------------------------------------------------------------- calls -> IAM actions


def test_a_transaction_needs_each_items_action_on_its_table():
    needs = iam.permissions_for(
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "entities", "Item": {}}},
                {"Update": {"TableName": "entities", "Key": {}}},
                {"ConditionCheck": {"TableName": "other", "Key": {}}},
                {"Put": {"TableName": "entities", "Item": {}}},
            ]
        },
        ARNS,
    )
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/"
    assert needs == (
        iam.Permission("dynamodb:PutItem", table + "entities"),
        iam.Permission("dynamodb:UpdateItem", table + "entities"),
        iam.Permission("dynamodb:ConditionCheckItem", table + "other"),
    )


def test_a_query_on_an_index_needs_the_index_arn():
    (need,) = iam.permissions_for("dynamodb", "Query", {"TableName": "t", "IndexName": "by-x"}, ARNS)
    assert need == iam.Permission(
        "dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/by-x"
    )


def test_sqs_batches_need_their_single_message_action_on_the_queue_of_the_url():
    (need,) = iam.permissions_for(
        "sqs", "SendMessageBatch", {"QueueUrl": "http://127.0.0.1:5000/123456789012/deliveries"}, ARNS
    )
    assert need == iam.Permission("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:deliveries")


def test_reading_an_object_version_needs_get_object_version():
    (need,) = iam.permissions_for("s3", "GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v1"}, ARNS)
    assert need == iam.Permission("s3:GetObjectVersion", "arn:aws:s3:::b/k")
    (head,) = iam.permissions_for("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, ARNS)
    assert head == iam.Permission("s3:GetObject", "arn:aws:s3:::b/k")


def test_an_unmapped_call_is_allowed_only_by_a_grant_on_every_resource():
    (need,) = iam.permissions_for("sts", "GetCallerIdentity", {}, ARNS)
    assert need == iam.Permission("sts:GetCallerIdentity", "*")
    assert not iam.allows([{"Effect": "Allow", "Action": ["sts:*"], "Resource": ["arn:aws:sts::*"]}], need)


def test_an_explicit_deny_wins():
    statements = [
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]},
        {"Effect": "Deny", "Action": ["s3:PutObjectAcl"], "Resource": ["arn:aws:s3:::b/*"]},
    ]
    assert iam.allows(statements, iam.Permission("s3:PutObject", "arn:aws:s3:::b/k"))
    assert not iam.allows(statements, iam.Permission("s3:PutObjectAcl", "arn:aws:s3:::b/k"))


# IAM's wildcard matching, as a plain reference: `*` any run (colons and slashes too), `?` one character,
# everything else literal; actions ignore case, resources do not.
def reference_match(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


PIECES = st.text(alphabet="ab:/*?[]-.", max_size=12)


@given(pattern=PIECES, value=st.text(alphabet="abAB:/[]-.", max_size=12))
def test_resource_wildcards_match_as_iam_does(pattern, value):
    statement = [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [pattern]}]
    assert iam.allows(statement, iam.Permission("s3:GetObject", value)) == reference_match(pattern, value)


@given(pattern=st.text(alphabet="aBsS3:*?", max_size=10), action=st.text(alphabet="AbSs3:", max_size=10))
def test_action_wildcards_ignore_case(pattern, action):
    statement = [{"Effect": "Allow", "Action": [pattern], "Resource": ["*"]}]
    expected = reference_match(pattern.lower(), action.lower())
    assert iam.allows(statement, iam.Permission(action, "r")) == expected


def test_a_conditional_statement_counts_as_an_allow_and_not_as_a_deny():
    # The recorded call carries no request context to evaluate a Condition with (README says so).
    statements = [
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": ["*"], "Conditional": True},
        {"Effect": "Deny", "Action": ["kms:Decrypt"], "Resource": ["*"], "Conditional": True},
    ]
    assert iam.allows(statements, iam.Permission("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k"))
