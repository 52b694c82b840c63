"""Least privilege, as the provisioned stack has it: narrowed policies, no key in any environment, old versions expire."""

import pytest

from financing.adapters.aws import client
from local import iam
from tests.integration.conftest import expanded_policies

pytestmark = pytest.mark.usefixtures("aws")

NONCURRENT_DAYS = 30  # README, "Least privilege, checked locally"


def test_the_documents_bucket_expires_noncurrent_versions_after_the_documented_days(aws):
    bucket = aws.physical["DocumentsBucket"]
    rules = client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [(r["Status"], r["NoncurrentVersionExpiration"]["NoncurrentDays"]) for r in rules] == [
        ("Enabled", NONCURRENT_DAYS)
    ]
    assert all(not r.get("Expiration") for r in rules)  # the current version of every key stays


def test_the_upload_signer_may_put_objects_and_nothing_else_in_the_bucket(aws):
    signer = expanded_policies(aws)["CreateDocumentFunction"]
    bucket = aws.attributes["DocumentsBucket"]["Arn"]
    assert iam.allows(signer, iam.Permission("s3:PutObject", f"{bucket}/acme/doc_1"))
    for action in ("s3:PutObjectAcl", "s3:PutLifecycleConfiguration", "s3:DeleteObject", "s3:GetObject"):
        assert not iam.allows(signer, iam.Permission(action, f"{bucket}/acme/doc_1"))
        assert not iam.allows(signer, iam.Permission(action, bucket))


def test_no_function_environment_holds_the_pagination_key(aws):
    secret = client("secretsmanager").get_secret_value(SecretId=aws.physical["PaginationSecret"])
    for spec in aws.functions.values():
        assert secret["SecretString"] not in "".join(spec.environment.values()), spec.logical_id
        assert spec.environment["PAGINATION_SECRET_ARN"] == secret["ARN"]


def test_only_the_functions_that_sign_cursors_may_read_the_pagination_key(aws):
    arn = aws.physical["PaginationSecret"]
    readers = {
        function
        for function, statements in expanded_policies(aws).items()
        if iam.allows(statements, iam.Permission("secretsmanager:GetSecretValue", arn))
    }
    assert readers and all(f.startswith(("List", "Export", "GetInvoiceFinancing")) for f in readers), readers
    assert "CreateCompanyFunction" not in readers and "AuthorizerFunction" not in readers
