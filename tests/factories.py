"""make_x(session, **overrides): objects with realistic defaults, committed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketplace import clock
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
