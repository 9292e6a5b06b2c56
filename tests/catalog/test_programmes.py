"""Programme use cases: references must exist, codes are unique, every change is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from catalog.errors import DuplicateCode, InvalidProgramme, InvalidTransition
from catalog.models import Organisation, Programme, ProgrammeChange
from catalog.programmes import (
    archive_programme, create_programme, last_change, pause_programme, publish_programme, target_group_codes,
    update_programme,
)

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def values(db):
    amf = db.execute(select(Organisation.id).where(Organisation.code == "AMF")).scalar_one()
    return {"code": "AMF-1", "name": "Måleriet", "organisation_id": amf, "category_code": "painting",
            "target_groups": ["young_adults", "osa"], "capacity": 4, "price_ore": 450_000, "price_unit": "month"}


def test_create_starts_as_a_draft_with_sorted_target_groups_and_a_change_row(db, values):
    programme = create_programme(db, values, actor_id=None, now=T0)
    db.commit()
    assert programme.status == "draft" and programme.created_at == T0 and programme.updated_at == T0
    assert target_group_codes(db, [programme.id]) == {programme.id: ["osa", "young_adults"]}
    change = last_change(db, programme.id)
    assert change.action == "create" and change.changes["status"] == [None, "draft"]
    assert change.changes["target_groups"] == [None, ["osa", "young_adults"]]


@pytest.mark.parametrize("change, field", [
    ({"category_code": "astronomy"}, "category"), ({"target_groups": ["aliens"]}, "target_groups"),
    ({"organisation_id": 99_999}, "organisation"), ({"status": "paused"}, "status"), ({"colour": "blå"}, "colour"),
])
def test_unknown_references_are_refused_with_the_field(db, values, change, field):
    with pytest.raises(InvalidProgramme) as caught:
        create_programme(db, {**values, **change}, actor_id=None, now=T0)
    assert field in [name for name, _ in caught.value.errors]
    db.rollback()
    assert db.execute(select(Programme)).first() is None


def test_codes_are_unique(db, values):
    create_programme(db, values, actor_id=None, now=T0)
    with pytest.raises(DuplicateCode):
        create_programme(db, {**values, "name": "Annat"}, actor_id=None, now=T0)


def test_update_records_only_what_changed_old_and_new(db, values):
    programme = create_programme(db, values, actor_id=None, now=T0)
    later = T0 + timedelta(hours=1)
    changes = update_programme(db, programme, {"name": "Måleriet", "capacity": 6, "target_groups": ["osa"],
                                               "description": None}, actor_id=None, now=later)
    assert changes == {"capacity": [4, 6], "target_groups": [["osa", "young_adults"], ["osa"]]}
    assert programme.updated_at == later and programme.description == ""
    assert update_programme(db, programme, {"capacity": 6}, actor_id=None, now=later) == {}
    assert len(db.execute(select(ProgrammeChange).where(ProgrammeChange.programme_id == programme.id)).all()) == 2


def test_update_refuses_clearing_a_required_field(db, values):
    programme = create_programme(db, values, actor_id=None, now=T0)
    with pytest.raises(InvalidProgramme) as caught:
        update_programme(db, programme, {"name": None, "price_ore": None}, actor_id=None, now=T0)
    assert {"name", "price"} <= {name for name, _ in caught.value.errors}


def test_update_checks_weeks_against_the_stored_values(db, values):
    programme = create_programme(db, {**values, "min_weeks": 8}, actor_id=None, now=T0)
    with pytest.raises(InvalidProgramme):
        update_programme(db, programme, {"max_weeks": 4}, actor_id=None, now=T0)


def test_the_status_use_cases_follow_the_transitions(db, values):
    programme = create_programme(db, values, actor_id=None, now=T0)
    with pytest.raises(InvalidTransition):
        pause_programme(db, programme, actor_id=None, now=T0)
    publish_programme(db, programme, actor_id=None, now=T0)
    pause_programme(db, programme, actor_id=None, now=T0)
    archive_programme(db, programme, actor_id=None, now=T0)
    assert programme.status == "archived"
    with pytest.raises(InvalidTransition):
        update_programme(db, programme, {"name": "Nytt"}, actor_id=None, now=T0)
    actions = [c.action for c in db.execute(select(ProgrammeChange).order_by(ProgrammeChange.id)).scalars()]
    assert actions == ["create", "publish", "pause", "archive"]
