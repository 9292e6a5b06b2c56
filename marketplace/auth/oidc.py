"""Single sign-on with the city's OpenID provider, through Authlib (no token handling by hand).

Authlib does the protocol: discovery from the issuer, the authorisation code flow with PKCE
(S256), state and nonce kept in the signed session cookie, the code exchange and the
ID-token validation (signature against the provider's keys, issuer, audience, expiry, nonce).
This module decides what the validated claims mean here: which user they are, whether the
provider already did multi-factor authentication, and (with a claim map) roles and
organisation.

The claim map is a small TOML file (INSATSTORGET_OIDC_CLAIM_MAP):

    claim = "groups"                       # the claim holding the values below
    [values."insatstorget-amf-samordnare"]
    organisation = "AMF"
    roles = ["coordinator"]
"""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace.auth import accounts
from marketplace.auth.models import User
from marketplace.kernel.config import ConfigurationError, Settings

EXTENSION = "insatstorget_oidc"
CLIENT_NAME = "city"


class SignOnRefused(Exception):
    """The provider's answer was valid, but it does not let this person in; `reason` is a code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Mapped:
    organisation: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class ClaimMap:
    claim: str
    values: dict[str, Mapped]

    def resolve(self, claims: dict) -> Mapped | None:
        raw = claims.get(self.claim)
        given = [raw] if isinstance(raw, str) else list(raw or []) if isinstance(raw, list) else []
        matched = [self.values[value] for value in given if isinstance(value, str) and value in self.values]
        if not matched:
            return None
        organisations = {m.organisation for m in matched if m.organisation}
        if len(organisations) > 1:
            raise SignOnRefused("ambiguous_organisation")
        roles = sorted({role for m in matched for role in m.roles})
        return Mapped(organisation=next(iter(organisations), None), roles=tuple(roles))


def load_claim_map(path: Path | None) -> ClaimMap | None:
    if path is None:
        return None
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"INSATSTORGET_OIDC_CLAIM_MAP: cannot read {path}: {error}") from error
    claim = data.get("claim")
    values = data.get("values", {})
    if not isinstance(claim, str) or not isinstance(values, dict):
        raise ConfigurationError("INSATSTORGET_OIDC_CLAIM_MAP needs claim = \"<name>\" and [values.\"<value>\"] tables.")
    mapped = {}
    for value, entry in values.items():
        roles = entry.get("roles", [])
        unknown = [role for role in roles if role not in accounts.VALID_ROLES]
        if unknown or not isinstance(roles, list):
            raise ConfigurationError(f"INSATSTORGET_OIDC_CLAIM_MAP: unknown role(s) {unknown} for {value!r}.")
        mapped[value] = Mapped(organisation=entry.get("organisation"), roles=tuple(roles))
    return ClaimMap(claim=claim, values=mapped)


def provider_did_mfa(claims: dict, settings: Settings) -> bool:
    """True when the configured claim (amr: a list, acr: a string) names a multi-factor method."""
    accepted = {value.strip() for value in settings.oidc_mfa_values.split(",") if value.strip()}
    raw = claims.get(settings.oidc_mfa_claim)
    given = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return any(isinstance(value, str) and value in accepted for value in given)


def match_user(session: Session, claims: dict, settings: Settings, claim_map: ClaimMap | None, *, now) -> User:
    """The user these validated claims belong to; with the claim map, roles and organisation follow it.

    Call inside a transaction. Raises SignOnRefused (no e-mail, unknown and no just-in-time
    creation, deactivated, nothing to map the roles from).
    """
    email = claims.get(settings.oidc_email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise SignOnRefused("no_email")
    email = accounts.normalise_email(email)
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    mapped = claim_map.resolve(claims) if claim_map else None
    organisation_id = None
    if mapped and mapped.organisation:
        organisation = session.execute(select(Organisation).where(Organisation.code == mapped.organisation)).scalar_one_or_none()
        if organisation is None:
            raise SignOnRefused("unknown_organisation")
        organisation_id = organisation.id
    if user is None:
        if not settings.oidc_jit or not mapped or not mapped.roles or organisation_id is None:
            raise SignOnRefused("unknown_user")
        name = claims.get("name") if isinstance(claims.get("name"), str) and claims.get("name").strip() else email
        # The local password is random and never shown: this account signs in through the provider.
        return accounts.create_user(session, email=email, password=secrets.token_urlsafe(32), name=name[:200],
                                    organisation_code=mapped.organisation, roles=list(mapped.roles), now=now)
    if not user.active:
        raise SignOnRefused("inactive")
    if mapped and mapped.roles:
        user.roles = " ".join(mapped.roles)
    if organisation_id is not None:
        user.organisation_id = organisation_id
    session.flush()
    return user


# --- Authlib wiring (Flask) --------------------------------------------------------------------


def init_app(app, settings: Settings) -> None:
    """Register the provider with Authlib when the three settings are there."""
    if not settings.oidc_enabled:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    client = oauth.register(
        CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": 10},
    )
    app.extensions[EXTENSION] = (client, load_claim_map(settings.oidc_claim_map))


def client_for(app):
    """(Authlib client, claim map), or None when single sign-on is not configured."""
    return app.extensions.get(EXTENSION)


def provider_origin(settings: Settings) -> str | None:
    if not settings.oidc_enabled:
        return None
    parsed = urlparse(settings.oidc_issuer)
    return f"{parsed.scheme}://{parsed.netloc}"


def end_session_url(client, settings: Settings, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), when its discovery names one."""
    metadata = client.load_server_metadata()
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode({"client_id": settings.oidc_client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
