"""The documentation a newcomer reads: no dead links, a short README whose test command is the
one CI runs, and nothing about how the work was done (history stays in git)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md")), ROOT / "benchmarks" / "RESULTS.md"]
README_MAX_LINES = 220

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INDENTED_CODE = re.compile(r"^(?: {4}|\t).*$", re.M)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
NARRATION = re.compile(
    r"\b(?:round|stop|issue)\s+\d+\b"
    r"|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|this|next|last|previous)\s+round\b",
    re.I,
)


def _prose(markdown: str) -> str:
    """The text with code blocks and code spans removed: links and words outside code."""
    without_fences = FENCE.sub("", markdown)
    return CODE_SPAN.sub("", INDENTED_CODE.sub("", without_fences))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(path: Path) -> list[str]:
    return LINK.findall(_prose(path.read_text(encoding="utf-8")))


def test_slug_follows_githubs_rule():
    assert slug("National report (kommunala arbetsmarknadsinsatser)") == "national-report-kommunala-arbetsmarknadsinsatser"
    assert slug("Open data (HSDS 3.0)") == "open-data-hsds-30"
    assert slug("What is missed, and why") == "what-is-missed-and-why"
    assert slug("Users' guide") == "users-guide"
    assert slug("Åtgärder på `/admin`") == "åtgärder-på-admin"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_exists(document):
    assert document.exists(), f"{document.relative_to(ROOT)} is missing"
    dead = []
    for target in links(document):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part else document
        if not linked.exists():
            dead.append(f"{target}: no file {linked.relative_to(ROOT) if linked.is_relative_to(ROOT) else linked}")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            dead.append(f"{target}: no heading #{fragment} in {linked.relative_to(ROOT)}")
    assert not dead, f"dead links in {document.relative_to(ROOT)}:\n  " + "\n  ".join(dead)


def test_the_readme_links_into_every_document_and_shows_every_roles_screenshot():
    targets = {target.partition("#")[0] for target in links(README)}
    for document in DOCUMENTS[1:]:
        assert str(document.relative_to(ROOT)) in targets, f"the README does not link to {document.relative_to(ROOT)}"
    for role in ("staff", "coordinator", "finance", "admin"):
        assert f"docs/screenshots/{role}.png" in targets
        assert (ROOT / "docs" / "screenshots" / f"{role}.png").read_bytes().startswith(b"\x89PNG")


def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/ (at most {README_MAX_LINES})"


def test_the_readme_test_command_is_the_one_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"^TEST_COMMAND='([^']+)'$", ci, re.M).group(1)
    readme_commands = [line.strip() for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("    ")]
    assert command in readme_commands, f"the README does not show .ci/run's test command: {command}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_documents_speak_of_the_product_not_of_how_it_was_built(document):
    text = document.read_text(encoding="utf-8")
    found = sorted({match.group(0) for match in NARRATION.finditer(text)})
    assert not found, f"{document.relative_to(ROOT)} narrates the work ({', '.join(found)}); history stays in git"
