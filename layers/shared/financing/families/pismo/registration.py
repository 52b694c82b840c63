"""From a POST /v1/credit-rights body to what the registry stores, or every problem found (400)."""

from typing import Any

from financing.domain.errors import FieldProblem, InvalidInput
from financing.domain.money import to_minor
from financing.families.pismo.credit_rights import validate_receivable


def accepted_receivable(body: Any) -> tuple[dict[str, Any], int]:
    """The request as stored (the body as sent, once every rule holds) and its face value in centavos."""
    request, problems = validate_receivable(body)
    if request is None or problems:
        raise InvalidInput(
            [FieldProblem(*_split(problem)) for problem in problems], "The receivable is invalid."
        )
    return body, to_minor(request.face_value, "brl")


def _split(problem: str) -> tuple[str, str]:
    field, _, message = problem.partition(": ")
    return (field, message) if message else ("body", problem)
