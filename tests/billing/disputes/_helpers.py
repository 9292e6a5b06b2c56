"""Disputes test helpers: the users on both sides, a booking RK buys from AMF, and the close."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from billing import operations
from tests.billing._factories import make_booking, make_programme
from tests.factories import enrol_totp, make_user

BASE = "/api/v1/billing/disputes"


def users(db) -> dict:
    """Both sides' people (RK buys, AMF provides), a bystander district and city finance."""
    return {
        "buyer_finance": enrol_totp(db, make_user(db, organisation="RK", roles=["district_finance"], email="ekonom.rk@test.se")),
        "buyer_staff": make_user(db, organisation="RK", roles=["staff"], email="staff.rk@test.se"),
        "buyer_coordinator": make_user(db, organisation="RK", roles=["coordinator"], email="coord.rk@test.se"),
        "provider_finance": enrol_totp(db, make_user(db, organisation="AMF", roles=["district_finance"], email="ekonom.amf@test.se")),
        "provider_coordinator": make_user(db, organisation="AMF", roles=["coordinator"], email="coord.amf@test.se"),
        "provider_staff": make_user(db, organisation="AMF", roles=["staff"], email="staff.amf@test.se"),
        "other_finance": enrol_totp(db, make_user(db, organisation="HV", roles=["district_finance"], email="ekonom.hv@test.se")),
        "other_coordinator": make_user(db, organisation="HV", roles=["coordinator"], email="coord.hv@test.se"),
        "city_finance": enrol_totp(db, make_user(db, organisation="SK", roles=["finance"], email="finance@test.se")),
        "admin": enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="admin@test.se")),
    }


def march_to_april(db, *, price_ore: int = 450_000):
    """RK buys a place from AMF for all of March and April at `price_ore` a month."""
    return make_booking(db, make_programme(db, price_ore=price_ore), start=date(2026, 3, 1), end=date(2026, 4, 30))


def close(engine, settings, period: str, now: datetime):
    with Session(engine, expire_on_commit=False) as session:
        return operations.close_and_store(session, period, actor=None, now=now, instance_path=settings.instance_path)
