"""Load the reference data (organisations, target groups, categories) idempotently.

The CSV files in catalog/data are the city's; init-db upserts them by code, so running it
again changes nothing and never overwrites account codes an admin has edited. An organisation
without a default activity code (one that existed before the column) gets the file's.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Category, Organisation, TargetGroup

DATA_DIR = Path(__file__).parent / "data"


def read_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def load_reference_data(session: Session) -> dict[str, int]:
    """Insert missing reference rows; return how many of each were added."""
    added = {"organisations": 0, "target_groups": 0, "categories": 0}
    known_orgs = {org.code: org for org in session.execute(select(Organisation)).scalars().all()}
    for row in read_rows("organisations.csv"):
        existing = known_orgs.get(row["code"])
        if existing is None:
            session.add(Organisation(**row))
            added["organisations"] += 1
        elif not existing.default_activity_code and row.get("default_activity_code"):
            existing.default_activity_code = row["default_activity_code"]  # fills a blank, never overwrites
    for model, filename, key in (
        (TargetGroup, "target_groups.csv", "target_groups"),
        (Category, "categories.csv", "categories"),
    ):
        known = {row.code: row for row in session.execute(select(model)).scalars().all()}
        for row in read_rows(filename):
            existing = known.get(row["code"])
            if existing is None:
                session.add(model(**row))
                added[key] += 1
            else:  # labels follow the data files; codes never change
                existing.label_sv, existing.label_en = row["label_sv"], row["label_en"]
    session.flush()
    return added
