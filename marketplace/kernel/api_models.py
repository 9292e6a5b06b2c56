"""Base models for the API's request parameters."""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema

_SCHEMAS: dict[type, Any] = {}


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text: refuse it as invalid input, not a server error.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A request body's free text: any string but one with NUL in it."""


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


class QueryModel(BaseModel):
    """A query-string model whose JSON schema is built once per class.

    flask-openapi3 asks a query model for its JSON schema on every request (to tell list
    fields from single ones); pydantic builds it anew each time, about 2 ms of CPU for the
    catalogue search's parameters. The schema of a class never changes, so that call (the
    default arguments) answers from a read-only copy made once; any other call (the
    OpenAPI document's, with its own ref template) is pydantic's own.
    """

    @classmethod
    def model_json_schema(cls, by_alias: bool | None = None, ref_template: str = DEFAULT_REF_TEMPLATE,
                          schema_generator: type[GenerateJsonSchema] = GenerateJsonSchema, mode="validation",
                          **kwargs) -> Any:
        if (by_alias, ref_template, schema_generator, mode) != (None, DEFAULT_REF_TEMPLATE, GenerateJsonSchema,
                                                               "validation") or kwargs:
            return super().model_json_schema(by_alias, ref_template, schema_generator, mode, **kwargs)
        schema = _SCHEMAS.get(cls)
        if schema is None:
            schema = _SCHEMAS[cls] = _frozen(super().model_json_schema())
        return schema
