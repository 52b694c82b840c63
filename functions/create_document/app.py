"""POST /v1/documents: record a document and answer with the presigned form its file is uploaded with."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.documents import DocumentFiles, DocumentStore
from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.documents import document_event
from financing.families.core.documents import (
    DocumentCreate,
    DocumentObject,
    creation_details,
    document_object,
)
from financing.families.core.errors import core_responses
from financing.services.documents import create_document

app = core_api()


@app.post(
    "/v1/documents",
    summary="Create a document",
    description=(
        "Records the document and returns `upload`, a presigned POST valid for 15 minutes: send its "
        "`fields` and then the file (1 byte to 10 MiB, the Content-Type of `file_format`) as "
        "multipart/form-data to its `url`. The document is `uploaded` once the file is stored."
    ),
    tags=["Documents"],
    responses=core_responses(201, DocumentObject, "The document, created, with its upload form."),
)
def create(body: Annotated[DocumentCreate, Body()]) -> Response[DocumentObject]:
    actor = caller(app)

    def action() -> tuple[int, dict]:
        document, upload = create_document(
            DocumentStore(), DocumentFiles(), actor, creation_details(body), announce=document_event
        )
        return 201, document_object(document, upload=upload).model_dump(mode="json")

    return idempotent_response(app, actor.tenant_id, action)


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
