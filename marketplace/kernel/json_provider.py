"""Request JSON that nests too deeply is malformed input, not a server error.

Python's json parser recurses once per nesting level; a body of a few thousand brackets
raised RecursionError, which Flask does not treat as a parse failure, and every JSON
endpoint answered 500. Turning it into ValueError here (the app's one JSON provider) lets
Flask's own on_json_loading_failed path answer it: 400 problem+json on the API
(marketplace/problems.validation_error_response), a 400 page elsewhere.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class DepthSafeJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
