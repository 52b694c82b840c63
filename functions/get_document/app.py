"""GET /v1/documents/{document_id}: one document of the caller's tenant, with a download link once uploaded."""

from financing.adapters.documents import DocumentFiles, DocumentStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.composition.documents import document_event
from financing.families.core.documents import DocumentObject, document_object
from financing.families.core.errors import core_responses
from financing.services.documents import download_link, get_document

app = core_api()


@app.get(
    "/v1/documents/<document_id>",
    summary="Retrieve a document",
    description=(
        "`status` is `pending_upload` until the file is stored, then `uploaded`; an uploaded document "
        "carries `download`, a presigned GET of its file valid for 5 minutes."
    ),
    tags=["Documents"],
    responses=core_responses(200, DocumentObject, "The document."),
)
def retrieve(document_id: str) -> DocumentObject:
    actor = caller(app)
    files = DocumentFiles()
    document = get_document(DocumentStore(), files, actor, document_id, announce=document_event)
    return document_object(document, download=download_link(files, document))


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
