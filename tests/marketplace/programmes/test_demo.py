"""The demo catalogue: over 30 published programmes, every category, many organisations, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from catalog.models import Category, Programme
from marketplace.kernel import clock
from marketplace.programmes.demo import PROGRAMMES, seed_programmes


def test_the_demo_catalogue_covers_every_category_and_is_idempotent(db):
    first = seed_programmes(db, today=clock.today(), now=clock.now())
    db.commit()
    second = seed_programmes(db, today=clock.today(), now=clock.now())
    db.commit()
    assert first.startswith(f"Demo programmes: {len(PROGRAMMES)} added") and second.startswith("Demo programmes: 0 added")
    rows = db.execute(select(Programme)).scalars().all()
    assert len(rows) >= 30 and all(p.status == "published" for p in rows)
    categories = set(db.execute(select(Category.code)).scalars())
    assert {p.category_code for p in rows} == categories
    assert len({p.organisation_id for p in rows}) >= 14
    assert any(p.accessible for p in rows) and not all(p.accessible for p in rows)
    assert sum(p.price_unit == "month" for p in rows) > len(rows) / 2


def test_demo_prices_stay_within_the_seeds_range_per_place_and_year(db):
    yearly = []
    for row in PROGRAMMES:
        price, unit = row[7], row[8]
        yearly.append({"month": price * 12, "day": price * 225, "placement": price}[unit])
    assert min(yearly) >= 20_000 and max(yearly) <= 85_000, yearly


def test_seeded_programmes_are_found_by_what_people_type(db, api, staff_user):
    seed_programmes(db, today=clock.today(), now=clock.now())
    db.commit()
    caller = api(staff_user)
    for query, expected in (("cykel", "Cykelverkstan Vällingby"), ("bokvard", "Bokvården Norrmalm"),
                            ("kafe", "Café Tensta torg"), ("café", "Café Tensta torg"), ("skärholmen", "Loppis och återbruk Skärholmen")):
        names = [i["name"] for i in caller.get(f"/api/v1/programmes?q={query}").get_json()["items"]]
        assert (expected in names) if expected else names == [], (query, names)
    assert db.execute(select(func.count()).select_from(Programme)).scalar_one() == len(PROGRAMMES)
