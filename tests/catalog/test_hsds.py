"""The HSDS 3.0 mapping (pure) validated against the HSDS schema with jsonschema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from catalog.hsds import service, service_page, stable_id

SCHEMA_DIR = Path(__file__).parent / "hsds_schema"


def hsds_validator(name: str) -> Draft202012Validator:
    """A validator for one HSDS object, resolving the other objects' $refs from the folder."""
    resources = {}
    for path in SCHEMA_DIR.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources[schema["$id"]] = Resource.from_contents(schema)
    registry = Registry().with_resources(resources.items())
    root = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return Draft202012Validator(root, registry=registry, format_checker=FormatChecker())


DOCUMENT = {
    "id": 7, "code": "AMF-MAL-01", "name": "Måleriverkstan", "description": "Målning och tapetsering.",
    "organisation": {"id": 3, "code": "AMF", "name": "Arbetsmarknadsförvaltningen"}, "category": "painting",
    "target_groups": ["long_term_unemployed", "young_adults"], "capacity": 6, "free_places": 2,
    "price": {"amount": "4500.50", "currency": "SEK", "unit": "month"}, "status": "published", "accessible": True,
    "location": "Telefonvägen 30", "schedule": "Mån–fre 8–15", "min_weeks": 4, "max_weeks": 26,
    "contact": {"name": "Per Ekström", "email": "per.ekstrom@stockholm.se", "phone": "08-508 000 00"},
    "eligibility": "Från 18 år.", "language_support": "",
}
LABELS = {"category_labels": {"painting": "Måleri"},
          "target_group_labels": {"long_term_unemployed": "Långtidsarbetslösa", "young_adults": "Unga vuxna"}}


def _service(document=DOCUMENT):
    return service(document, base_url="https://insatstorget.example", as_of=date(2026, 11, 23), **LABELS)


def test_a_service_validates_against_the_hsds_schema():
    errors = sorted(hsds_validator("service.json").iter_errors(_service()), key=str)
    assert errors == []


def test_the_schema_check_is_real_and_catches_a_broken_service():
    broken = {**_service(), "status": "open", "organization": {"id": "not-a-uuid", "name": "X"}}
    del broken["name"]
    messages = [error.message for error in hsds_validator("service.json").iter_errors(broken)]
    assert any("'name' is a required property" in m for m in messages)
    assert any("'open' is not one of" in m for m in messages)
    assert any("'description' is a required property" in m for m in messages)
    assert any("is not a 'uuid'" in m for m in messages)


def test_free_places_price_contact_and_taxonomy_are_carried_over():
    result = _service()
    assert result["x_capacity"] == {"places": 6, "free_places_today": 2, "as_of": "2026-11-23"}
    assert {"link_type": "free_places", "value": "2"}.items() <= next(
        a for a in result["attributes"] if a["link_type"] == "free_places").items()
    assert result["cost_options"][0]["amount"] == 4500.5 and result["cost_options"][0]["currency"] == "SEK"
    assert result["fees_description"].startswith("4\u00a0500,50 kr per månad")
    assert result["contacts"][0]["phones"][0]["number"] == "08-508 000 00"
    terms = {a["taxonomy_term"]["code"]: a["taxonomy_term"]["name"] for a in result["attributes"] if "taxonomy_term" in a}
    assert terms == {"painting": "Måleri", "long_term_unemployed": "Långtidsarbetslösa", "young_adults": "Unga vuxna"}
    assert any(a["link_type"] == "accessibility" for a in result["attributes"])
    assert result["url"] == "https://insatstorget.example/insatser/7"


def test_ids_are_stable_between_exports():
    assert _service()["id"] == _service()["id"] == stable_id("programme", "AMF-MAL-01")
    assert stable_id("programme", "A") != stable_id("programme", "B")


def test_a_programme_without_contact_details_has_no_contacts():
    bare = {**DOCUMENT, "contact": {"name": "", "email": "", "phone": ""}, "accessible": False}
    result = _service(bare)
    assert result["contacts"] == [] and "email" not in result
    assert list(hsds_validator("service.json").iter_errors(result)) == []


@pytest.mark.parametrize("total, page, per_page, last", [(0, 1, 50, True), (120, 2, 50, False), (120, 3, 50, True)])
def test_the_page_follows_hsds_paging(total, page, per_page, last):
    body = service_page([DOCUMENT] if total else [], total=total, page=page, per_page=per_page,
                        base_url="https://x.example", as_of=date(2026, 11, 23), **LABELS)
    assert list(hsds_validator("page.json").iter_errors(body)) == []
    assert body["last_page"] is last and body["total_items"] == total and body["empty"] is (total == 0)
