"""Request and response models of the collaboration API (API.md, Messages and documents)."""


from datetime import datetime

from flask_openapi3 import FileStorage
from pydantic import BaseModel, ConfigDict, Field

from marketplace.collaboration.models import DocumentKind
from marketplace.kernel.api_models import QueryModel


class BookingPath(BaseModel):
    id: int = Field(..., description="The booking's id")


class DocumentPath(BaseModel):
    id: int = Field(..., description="The booking's id")
    document_id: int = Field(..., description="The document's id")


class PageQuery(QueryModel):
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=100)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(..., min_length=1, max_length=5000, description="1–5000 characters")


class PersonOut(BaseModel):
    name: str
    organisation_code: str


class MessageOut(BaseModel):
    id: int
    author: PersonOut
    body: str
    created_at: datetime


class MessageList(BaseModel):
    items: list[MessageOut]
    total: int
    page: int
    per_page: int


class DocumentForm(BaseModel):
    file: FileStorage = Field(..., description="PDF, DOCX, ODT, XLSX, PNG or JPEG (by content), at most 10 MB")
    kind: str = Field(..., description="work_plan | assignment | report | other")


class DocumentOut(BaseModel):
    id: int
    filename: str
    kind: DocumentKind
    size: int
    sha256: str
    content_type: str
    uploaded_by: PersonOut
    created_at: datetime


class DocumentList(BaseModel):
    items: list[DocumentOut]
    total: int
    page: int
    per_page: int
