"""Maintain the English catalogue: extract every Swedish msgid, keep existing translations.

    python -m marketplace.i18n.catalogue update    # messages.pot + merge into en/messages.po
    python -m marketplace.i18n.catalogue missing   # list msgids without an English msgstr
    python -m marketplace.i18n.catalogue compile   # .po -> .mo (the app also does this at start)

Extraction follows babel.cfg (Python modules and Jinja templates) with the gettext keywords
plus flask-babel's lazy_gettext. The test suite uses the same extract_catalogue(), so the
test and the maintenance command can never disagree about which strings exist.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TEMPLATE_PATH = TRANSLATIONS / "messages.pot"
TARGET_LOCALES = ("en",)
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    # Domain errors carry a Swedish message that the pages show with _(error.message).
    "DomainError": None,
    "Invalid": None,
    "Conflict": None,
    "NotFound": None,
    "Forbidden": None,
}
# Bump the POT's date only when its content changes, so the file does not churn.
_FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
_HEADER = {
    "project": "Insatstorget",
    "version": "1",
    "copyright_holder": "Stockholms stad",
    "msgid_bugs_address": "",
    "last_translator": "Insatstorget",
    "language_team": "Insatstorget",
    "charset": "utf-8",
    "creation_date": _FIXED_DATE,
    "revision_date": _FIXED_DATE,
    "fuzzy": False,
    "header_comment": (
        "# English catalogue of Insatstorget's interface; the msgids are the Swedish originals.\n"
        "# Maintained with: python -m marketplace.i18n.catalogue update"
    ),
}


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _directory_filter(dirpath: str) -> bool:
    """Walk everything but hidden folders, caches and virtualenvs (Babel's default also skips
    folders starting with "_", which would miss templates/_macros)."""
    name = Path(dirpath).name
    return not (name.startswith(".") or name in {"__pycache__", "node_modules", "venv", "instance", "artifacts"})


def extract_catalogue(root: Path = ROOT) -> Catalog:
    """Every msgid in the source as it is now (python files and templates per babel.cfg)."""
    with (root / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(root / "babel.cfg"))
    catalogue = Catalog(**_HEADER)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True,
        directory_filter=_directory_filter,
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for label_sv in reference_labels(root):
        catalogue.add(label_sv, None, [(name, 0) for name in REFERENCE_LABELS])
    return catalogue


# Reference data with a Swedish and an English label: the Swedish label is also a msgid, so a
# page that shows a label through _() (statistics rows) gets the English one.
REFERENCE_LABELS = ("catalog/data/categories.csv", "catalog/data/target_groups.csv")


def reference_labels(root: Path = ROOT) -> dict[str, str]:
    """{label_sv: label_en} from the reference-data files."""
    import csv

    labels = {}
    for name in REFERENCE_LABELS:
        with (root / name).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                if row.get("label_sv") and row.get("label_en"):
                    labels[row["label_sv"]] = row["label_en"]
    return labels


def read_catalogue(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalogue: Catalog, **options) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=True, **options)
    tmp.replace(path)


def update() -> dict[str, int]:
    """Write messages.pot and merge it into each locale's .po (translations kept, obsolete dropped)."""
    template = extract_catalogue()
    _write(TEMPLATE_PATH, template, omit_header=False)
    counts = {}
    for locale in TARGET_LOCALES:
        path = po_path(locale)
        if path.exists():
            catalogue = read_catalogue(path, locale)
        else:
            catalogue = Catalog(locale=locale, **_HEADER)
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
        if locale == "en":  # the reference data carries its own English labels
            for label_sv, label_en in reference_labels().items():
                message = catalogue.get(label_sv)
                if message is not None and not message.string:
                    message.string = label_en
        catalogue.fuzzy = False
        _write(path, catalogue, ignore_obsolete=True, include_lineno=False)
        counts[locale] = len(missing(catalogue))
    return counts


def missing(catalogue: Catalog) -> list[str]:
    """Msgids with no translation, or with a fuzzy (unreviewed) one."""
    result = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(strings):
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result


def compile_all() -> None:
    from marketplace.i18n import compile_catalogues

    compile_catalogues(TRANSLATIONS)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        for locale, count in update().items():
            print(f"{po_path(locale).relative_to(ROOT)}: {count} msgid(s) without a translation")
        return 0
    if command == "missing":
        status = 0
        for locale in TARGET_LOCALES:
            for msgid in missing(read_catalogue(po_path(locale), locale)):
                print(f"{locale}\t{msgid!r}")
                status = 1
        return status
    if command == "compile":
        compile_all()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
