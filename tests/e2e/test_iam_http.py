"""IAM on the local stack: a function whose policy lacks what it calls is reported as AWS would refuse it.

Every e2e test already drives routes and workers on a stack that logs any call a policy lacks, and the
launcher fails on such a line (tests/e2e/conftest.py). Here the template loses one permission and the
stack must say so, naming the function, the action and the resource.
"""

import re

import pytest
import yaml

from local.template import load_yaml
from tests.e2e.conftest import ACCESS_DENIED, ROOT, launch
from tests.e2e.test_companies_http import ACME, BODY

pytestmark = pytest.mark.e2e


def template_without_company_writes(root):
    """template.yaml with CreateCompanyFunction's entities-table write policy gone, its code paths absolute."""
    template = load_yaml(ROOT / "template.yaml")
    for resource in template["Resources"].values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = str(ROOT / props[key])
    policies = template["Resources"]["CreateCompanyFunction"]["Properties"]["Policies"]
    template["Resources"]["CreateCompanyFunction"]["Properties"]["Policies"] = [
        policy for policy in policies if "DynamoDBWritePolicy" not in policy
    ]
    path = root / "template.yaml"
    path.write_text(yaml.safe_dump(template))
    return path


def test_a_route_calling_what_its_policy_lacks_is_reported_by_the_local_stack(tmp_path):
    # Given the stack deployed from a template whose CreateCompanyFunction lost its write policy
    path = template_without_company_writes(tmp_path)
    denied = pytest.raises(AssertionError, match="AWS calls the functions' policies do not allow")
    with denied as refused, launch(tmp_path, LOCAL_TEMPLATE=str(path), STACK_NAME="iam-check") as running:
        # When a company is created (the embedded AWS serves the transaction; AWS would refuse it)
        assert running.request("POST", "/v1/companies", BODY, ACME).status == 201
    # Then the stack reported the item action, on the table, for that function
    assert re.search(
        re.escape(ACCESS_DENIED) + r"CreateCompanyFunction: dynamodb:PutItem on "
        r"arn:aws:dynamodb:us-east-1:123456789012:table/\S+ \(dynamodb TransactWriteItems\)",
        str(refused.value),
    ), refused.value
