"""The Pismo family's response bodies: the 202 acknowledgement and the receivable as this API shows it."""

from typing import Any

from pydantic import BaseModel, Field

from financing.clock import iso
from financing.domain.credit_rights import Receivable, dead_lettered

ACCEPTED = (
    "Receivable registration requested. The outcome is announced on the event bus as "
    "credit_rights_registration_success-1 or credit_rights_registration_failure-1."
)
RETRY_ACCEPTED = (
    "Receivable registration requested again with its attempts reset. The outcome is announced on the event "
    "bus as credit_rights_registration_success-1 or credit_rights_registration_failure-1."
)
INACTIVATION_ACCEPTED = (
    "Receivable inactivation requested. The outcome is announced on the event bus as "
    "credit_rights_status_change_success-1 or credit_rights_status_change_failure-1."
)


class CreateReceivableResponse(BaseModel):
    message: str
    recorder_account: int | str | None = None


class Acknowledgement(BaseModel):
    message: str


class ReceivableObject(BaseModel):
    internal_number: str
    status: str
    registrar_reference: str | None
    attempts: int
    last_error: str | None
    dead_lettered: bool = Field(
        description="PENDING with its registration attempts exhausted: the request rests in the dead-letter "
        "queue until `POST /v1/credit-rights/{internal_number}/retry_registration`."
    )
    message: str | None
    holding_number: str
    debtor_document_number: str
    face_value: Any
    recorder_account: Any
    request: dict[str, Any]
    created: str
    updated: str


def receivable_object(receivable: Receivable) -> ReceivableObject:
    return ReceivableObject(
        internal_number=receivable.internal_number,
        status=receivable.status.value,
        registrar_reference=receivable.registrar_reference,
        attempts=receivable.attempts,
        last_error=receivable.last_error,
        dead_lettered=dead_lettered(receivable),
        message=receivable.message,
        holding_number=receivable.holding_number,
        debtor_document_number=receivable.debtor_document_number,
        face_value=receivable.request.get("face_value"),
        recorder_account=receivable.request.get("recorder_account"),
        request=receivable.request,
        created=iso(receivable.created),
        updated=iso(receivable.updated),
    )


class GlobalErrorResponse(BaseModel):
    """Pismo's error envelope: the correlation id and every problem as `<field>: <what is wrong>`."""

    correlationId: str
    errors: list[str]


_ERRORS = {
    400: "The request is invalid; `errors` lists every problem found.",
    401: "Missing, malformed, expired or wrongly signed bearer token.",
    403: "The token lacks the scope this route needs.",
    404: "No such receivable for this tenant.",
    409: "A receivable with this internal_number exists, or its status does not allow this.",
    413: "The body exceeds 256 KiB.",
    415: "The body is not JSON.",
    422: "The Idempotency-Key was already used with another body.",
}


def pismo_responses(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
    """OpenAPI responses of a Pismo route: its success and Pismo's error envelope for every error."""
    responses: dict[int, Any] = {
        status: {"description": description, "content": {"application/json": {"model": model}}}
    }
    for code, text in _ERRORS.items():
        responses[code] = {
            "description": text,
            "content": {"application/json": {"model": GlobalErrorResponse}},
        }
    return responses
