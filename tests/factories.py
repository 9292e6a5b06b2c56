"""make_x(session, **overrides): objects with realistic defaults, committed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketplace.kernel import clock
from marketplace.auth.accounts import create_user
from marketplace.auth.models import User

DEFAULT_PASSWORD = "korrekt-hast-batteri"


def make_user(session: Session, *, organisation: str = "RK", roles=("staff",), email: str | None = None,
              name: str = "Test Testsson", password: str = DEFAULT_PASSWORD) -> User:
    email = email or f"{'-'.join(roles)}.{organisation.lower()}@test.se"
    user = create_user(session, email=email, password=password, name=name, organisation_code=organisation,
                       roles=list(roles), now=clock.now())
    session.commit()
    return user


def make_programme(session: Session, *, organisation: str = "AMF", code: str | None = None, name: str = "Måleriverkstan",
                   description: str = "Arbetsträning i måleri: inomhusmålning, tapetsering och spackling.",
                   category: str = "painting", target_groups=("long_term_unemployed",), capacity: int = 5,
                   price_ore: int = 450_000, price_unit: str = "month", status: str = "published", **fields):
    """A programme through the catalogue's own use case (search documents included), committed."""
    from sqlalchemy import select

    from catalog.models import Organisation
    from catalog.programmes import create_programme

    make_programme.counter = getattr(make_programme, "counter", 0) + 1
    organisation_id = session.execute(select(Organisation.id).where(Organisation.code == organisation)).scalar_one()
    values = dict(code=code or f"P-{make_programme.counter:04d}", name=name, description=description,
                  organisation_id=organisation_id, category_code=category, target_groups=list(target_groups),
                  capacity=capacity, price_ore=price_ore, price_unit=price_unit, status=status, **fields)
    programme = create_programme(session, values, actor_id=None, now=clock.now())
    session.commit()
    return programme


TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_totp(session: Session, user: User, secret: str = TEST_TOTP_SECRET) -> User:
    """Give the user a known TOTP secret (as if enrolled); tests compute codes with pyotp."""
    user = session.get(User, user.id)
    user.totp_secret = secret
    session.commit()
    return user
