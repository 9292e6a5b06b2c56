"""Where a `next` parameter may send the browser: a path on this site, nothing else.

The check runs on the target as the browser will read it (WHATWG URL parsing): it removes
tab, CR and LF anywhere, strips leading and trailing control characters and spaces, and
reads a backslash as a slash. So "/\\t/evil.example" is "//evil.example" to the browser
(scheme-relative: another site) and is refused here; a CR or LF could also never reach a
Location header (Werkzeug refuses them with a 500). Only what passes is returned, in the
normalised form the browser would have used anyway. A target must pass once more after
percent-decoding ("/%09/evil.example"), so a proxy or page that decodes it again cannot
turn it into another site.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

_REMOVED_ANYWHERE = str.maketrans("", "", "\t\n\r")
_STRIPPED_AT_ENDS = "".join(chr(code) for code in range(0x21))  # C0 controls and space


def same_origin_path(target: str | None) -> str | None:
    """`target` as a path on this site ("/…", not "//…"), or None when it could lead elsewhere."""
    if not target or not isinstance(target, str):
        return None
    path = _normalised_path(target)
    return path if path is not None and _normalised_path(unquote(path)) is not None else None


def _normalised_path(target: str) -> str | None:
    path = target.translate(_REMOVED_ANYWHERE).strip(_STRIPPED_AT_ENDS).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return None
    return path
