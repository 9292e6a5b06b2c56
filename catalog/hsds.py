"""Map Programme documents to Open Referral HSDS 3.0 services (open data). Pure: no session.

Identifiers are stable UUIDs derived from our codes (uuid5), so other tools can follow a
programme between exports. Live free places are an HSDS extension: each service carries
"x_capacity" ({"places", "free_places_today", "as_of"}) and the same number as an attribute
with link_type "free_places". Money is a JSON number in SEK (HSDS cost_option.amount).
"""

from __future__ import annotations

import math
import uuid
from datetime import date
from decimal import Decimal

NAMESPACE = uuid.UUID("6f0e4f0e-2b53-5c1e-9a4b-1c3f5d7e9a01")
TAXONOMY = "insatstorget"
UNIT_TEXT = {"month": "per månad", "day": "per dag", "placement": "per placering"}


def stable_id(kind: str, key: str | int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _amount(amount: str) -> float | int:
    value = Decimal(amount)
    return int(value) if value == value.to_integral_value() else float(value)


def _swedish_price(amount: str, unit: str) -> str:
    whole, _, ore = amount.partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return f"{grouped},{ore} kr {UNIT_TEXT.get(unit, unit)}"


def _term(kind: str, code: str, name: str) -> dict:
    return {"id": stable_id(f"term:{kind}", code), "code": code, "name": name,
            "description": f"{kind}: {name}", "taxonomy": TAXONOMY}


def _attribute(service_id: str, link_type: str, value: str, term: dict | None = None) -> dict:
    attribute = {"id": stable_id(f"attribute:{link_type}", f"{service_id}:{value}"), "link_id": service_id,
                 "link_type": link_type, "link_entity": "service", "value": value}
    if term is not None:
        attribute["taxonomy_term_id"] = term["id"]
        attribute["taxonomy_term"] = term
    return attribute


def service(document: dict, *, category_labels: dict[str, str], target_group_labels: dict[str, str],
            base_url: str, as_of: date | None = None) -> dict:
    """One HSDS service for one Programme document (API.md's shape, with free_places)."""
    service_id = stable_id("programme", document["code"])
    organisation = document["organisation"]
    organisation_id = stable_id("organisation", organisation["code"])
    contact = document["contact"]
    price = document["price"]
    result = {
        "id": service_id,
        "organization_id": organisation_id,
        "name": document["name"],
        "alternate_name": document["code"],
        "description": document["description"] or document["name"],
        "url": f"{base_url}/insatser/{document['id']}",
        "status": "active" if document["status"] == "published" else "inactive",
        "eligibility_description": document.get("eligibility") or "",
        "application_process": "Handläggare i Stockholms stad ansöker om plats via Insatstorget.",
        "fees_description": _swedish_price(price["amount"], price["unit"]) + " (internpris mellan stadens förvaltningar)",
        "organization": {"id": organisation_id, "name": organisation["name"],
                         "description": f"{organisation['name']}, Stockholms stad"},
        "cost_options": [{"id": stable_id("cost", document["code"]), "service_id": service_id, "currency": price["currency"],
                          "amount": _amount(price["amount"]), "option": price["unit"],
                          "amount_description": UNIT_TEXT.get(price["unit"], price["unit"])}],
        "contacts": [],
        "phones": [],
        "attributes": [],
        "x_capacity": {"places": document["capacity"], "free_places_today": document["free_places"],
                       "as_of": (as_of or date.today()).isoformat()},
    }
    if contact.get("email"):
        result["email"] = contact["email"]
    if contact.get("name") or contact.get("email") or contact.get("phone"):
        contact_id = stable_id("contact", document["code"])
        entry = {"id": contact_id, "service_id": service_id, "name": contact.get("name") or "", "phones": []}
        if contact.get("email"):
            entry["email"] = contact["email"]
        if contact.get("phone"):
            phone = {"id": stable_id("phone", document["code"]), "service_id": service_id, "contact_id": contact_id,
                     "number": contact["phone"], "type": "voice"}
            entry["phones"].append(phone)
            result["phones"].append(phone)
        result["contacts"].append(entry)
    category = document["category"]
    result["attributes"].append(_attribute(service_id, "category", category,
                                           _term("category", category, category_labels.get(category, category))))
    for code in document["target_groups"]:
        result["attributes"].append(_attribute(service_id, "target_group", code,
                                               _term("target_group", code, target_group_labels.get(code, code))))
    if document["accessible"]:
        result["attributes"].append(_attribute(service_id, "accessibility", "physical_disability_adapted"))
    result["attributes"].append(_attribute(service_id, "free_places", str(document["free_places"])))
    if document.get("location"):
        result["x_location_text"] = document["location"]
    if document.get("schedule"):
        result["x_schedule_text"] = document["schedule"]
    return result


def service_page(documents: list[dict], *, category_labels: dict[str, str], target_group_labels: dict[str, str],
                 total: int, page: int, per_page: int, base_url: str, as_of: date | None = None) -> dict:
    """HSDS 3.0's paginated response: {total_items, total_pages, page_number, size, first_page, last_page, empty, contents}."""
    pages = max(1, math.ceil(total / per_page))
    contents = [service(d, category_labels=category_labels, target_group_labels=target_group_labels,
                        base_url=base_url, as_of=as_of) for d in documents]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }
