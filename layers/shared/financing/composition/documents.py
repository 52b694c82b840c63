"""The document use cases' wiring: how their events show a document (the core family's document object)."""

from financing.composition.events import announcing
from financing.domain.documents import Document
from financing.families.core.documents import document_object
from financing.services.ports import Announces

# Its events carry the core family's document object, without links (presigned URLs are bearer credentials).
document_event: Announces[Document] = announcing(document_object)
