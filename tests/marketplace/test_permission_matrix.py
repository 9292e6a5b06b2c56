"""The access-control matrix: every route (pages and API) × every role × own or other organisation.

One table, MATRIX, says what each actor gets from each route. A route in the app without an
entry (or an entry without a route) fails the suite, so a new route cannot ship unconsidered.

Actors, in column order: anonymous; staff of the booking's buyer (own) and of another
district (other); coordinator of the providing organisation (own) and of another (other);
finance; admin; district finance of the booking's buyer (RK). The world (tests/marketplace/security/_world.py) has one approved booking
RK buys from AMF, with a follow-up, and a published AMF programme.

Expectations: "ok" = let through (any answer but 401/403/404, a sign-in redirect or a 5xx:
a 409 or 422 from the rules is fine); "login" = sent to the sign-in page; 401/403/404 exact.
Invisible things answer 404 (DESIGN.md, privacy); visible but forbidden ones 403.

A second table, ROLE_MATRIX, says the same for the people who run programmes (supervisor and
manager, own and other); every route needs an entry in both.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from marketplace.kernel.config import Settings
from marketplace.kernel.db import make_engine
from marketplace.operations.schema import init_db
from tests.marketplace.security._world import (
    ACTOR_KEYS, ROLE_ACTOR_KEYS, _sign_in, april_booking_ref, build_world, fill, fresh_booking,
)

PUBLIC = "ok ok ok ok ok ok ok ok"
SSO_OFF = " ".join(["404"] * len(ACTOR_KEYS))  # single sign-on is not configured in the world
SIGNED_IN = "login ok ok ok ok ok ok ok"
API_SIGNED_IN = "401 ok ok ok ok ok ok ok"
ADMIN = "login 403 403 403 403 403 ok 403"
FINANCE_OR_ADMIN = "login 403 403 403 403 ok ok 403"
FINANCE = "login 403 403 403 403 ok 403 403"
API_FINANCE_OR_ADMIN = "401 403 403 403 403 ok ok 403"
API_FINANCE = "401 403 403 403 403 ok 403 403"
# The booking: its buyer's staff and its provider's coordinators see it; everyone else gets 404.
BOOKING_BOTH = "login ok 404 ok 404 404 404 404"
BOOKING_BUYER = "login ok 404 403 404 404 404 404"
BOOKING_PROVIDER = "login 403 404 ok 404 404 404 404"
API_BOOKING_BOTH = "401 ok 404 ok 404 404 404 404"
API_BOOKING_BUYER = "401 ok 404 403 404 404 404 404"
API_BOOKING_PROVIDER = "401 403 404 ok 404 404 404 404"
STAFF_ONLY = "login ok ok 403 403 403 403 403"
COORDINATOR_OR_ADMIN = "login 403 403 ok ok 403 ok 403"
PROGRAMME_KEEPER = "login 403 403 ok 403 403 ok 403"  # coordinator of the programme's organisation, or admin

MATRIX: dict[tuple[str, str], str] = {
    # start, sign-in, account
    ("GET", "/"): SIGNED_IN,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/static/<path:filename>"): PUBLIC,
    ("GET", "/logga-in"): PUBLIC,
    ("POST", "/logga-in"): PUBLIC,
    ("POST", "/logga-ut"): "login login login login login login login login",  # signed out, back to the sign-in page
    ("GET", "/logga-in/kod"): SIGNED_IN,
    ("POST", "/logga-in/kod"): SIGNED_IN,
    # single sign-on is not configured in this world: both answer 404 (tests/marketplace/auth/test_oidc.py)
    ("GET", "/logga-in/stadens-konto"): SSO_OFF,
    ("GET", "/logga-in/stadens-konto/klar"): SSO_OFF,
    ("GET", "/konto/tvafaktor"): SIGNED_IN,
    ("POST", "/konto/tvafaktor"): SIGNED_IN,
    ("GET", "/konto/losenord"): SIGNED_IN,
    ("POST", "/konto/losenord"): SIGNED_IN,
    ("GET", "/konto/sessioner"): SIGNED_IN,
    ("POST", "/konto/sessioner/logga-ut-overallt"): SIGNED_IN,
    # notifications: each user's own (the world's notification is staff_own's; anyone else's id is 404)
    ("GET", "/aviseringar"): SIGNED_IN,
    ("POST", "/aviseringar/<int:notification_id>/last"): "login ok 404 404 404 404 404 404",
    ("POST", "/aviseringar/las-alla"): SIGNED_IN,
    ("GET", "/konto/aviseringar"): SIGNED_IN,
    ("POST", "/konto/aviseringar"): SIGNED_IN,  # an empty form: 422 with the errors
    ("POST", "/sprak/<code>"): PUBLIC,
    # administration
    ("GET", "/admin"): ADMIN,
    ("GET", "/admin/anvandare"): ADMIN,
    ("GET", "/admin/anvandare/ny"): ADMIN,
    ("POST", "/admin/anvandare/ny"): ADMIN,
    ("POST", "/admin/anvandare/<int:user_id>/inaktivera"): ADMIN,
    ("POST", "/admin/anvandare/<int:user_id>/aktivera"): ADMIN,
    ("POST", "/admin/anvandare/<int:user_id>/tvafaktor"): ADMIN,
    ("GET", "/admin/granskningslogg"): ADMIN,
    ("GET", "/admin/granskningslogg.csv"): ADMIN,
    ("GET", "/admin/loggkontroll"): ADMIN,
    ("POST", "/admin/loggkontroll"): ADMIN,
    ("GET", "/admin/gallring"): ADMIN,
    ("POST", "/admin/gallring"): ADMIN,
    ("GET", "/admin/organisationer"): ADMIN,
    ("GET", "/admin/organisationer/<code>"): ADMIN,
    ("POST", "/admin/organisationer/<code>"): ADMIN,
    # catalogue pages
    ("GET", "/insatser"): SIGNED_IN,
    ("GET", "/insatser/<int:programme_id>"): SIGNED_IN,
    ("GET", "/insatser/<int:programme_id>/belaggning"): "login 404 404 ok 404 404 404 404",
    ("GET", "/insatser/<int:programme_id>/boka"): STAFF_ONLY,
    ("POST", "/insatser/<int:programme_id>/boka"): STAFF_ONLY,
    ("GET", "/vara-insatser"): COORDINATOR_OR_ADMIN,
    ("GET", "/vara-insatser/ny"): COORDINATOR_OR_ADMIN,
    ("POST", "/vara-insatser/ny"): COORDINATOR_OR_ADMIN,
    ("GET", "/vara-insatser/importera"): COORDINATOR_OR_ADMIN,
    ("POST", "/vara-insatser/importera"): COORDINATOR_OR_ADMIN,
    ("GET", "/vara-insatser/importera/mall.csv"): COORDINATOR_OR_ADMIN,
    ("GET", "/vara-insatser/<int:programme_id>/andra"): PROGRAMME_KEEPER,
    ("POST", "/vara-insatser/<int:programme_id>/andra"): PROGRAMME_KEEPER,
    ("POST", "/vara-insatser/<int:programme_id>/status"): PROGRAMME_KEEPER,
    ("POST", "/vara-insatser/<int:programme_id>/bekrafta"): PROGRAMME_KEEPER,
    # a programme's supervisors (arbetsledare): its keepers assign and remove them
    ("GET", "/vara-insatser/<int:programme_id>/arbetsledare"): PROGRAMME_KEEPER,
    ("POST", "/vara-insatser/<int:programme_id>/arbetsledare"): PROGRAMME_KEEPER,  # no user chosen: 422
    ("POST", "/vara-insatser/<int:programme_id>/arbetsledare/<int:user_id>/ta-bort"): PROGRAMME_KEEPER,
    # booking pages
    ("GET", "/placeringar"): "login ok ok ok ok 403 403 403",
    ("GET", "/forfragningar"): "login 403 403 ok ok 403 403 403",
    ("POST", "/forfragningar/beslut"): "login 403 403 ok ok 403 403 403",  # nothing ticked: 422
    ("GET", "/placeringar/export.<any(csv, xlsx):fmt>"): "login 403 403 ok ok 403 403 403",
    ("GET", "/placeringar/narvaro.xlsx"): "login 403 403 ok ok 403 403 403",
    ("GET", "/placeringar/<int:booking_id>"): BOOKING_BOTH,
    ("POST", "/placeringar/<int:booking_id>/godkann"): BOOKING_PROVIDER,
    ("POST", "/placeringar/<int:booking_id>/avsla"): BOOKING_PROVIDER,
    ("POST", "/placeringar/<int:booking_id>/avboka"): BOOKING_BUYER,
    ("POST", "/placeringar/<int:booking_id>/avsluta"): BOOKING_BOTH,
    ("POST", "/placeringar/<int:booking_id>/forlang"): BOOKING_BUYER,
    ("POST", "/placeringar/<int:booking_id>/forlangning/godkann"): BOOKING_PROVIDER,
    ("POST", "/placeringar/<int:booking_id>/forlangning/avsla"): BOOKING_PROVIDER,
    ("POST", "/placeringar/<int:booking_id>/skicka-vidare"): BOOKING_BUYER,  # the world's booking is approved: back with a message
    # messages and documents: participant data, so only the two sides
    ("POST", "/placeringar/<int:booking_id>/meddelanden"): BOOKING_BOTH,
    ("POST", "/placeringar/<int:booking_id>/dokument"): BOOKING_BOTH,
    ("GET", "/placeringar/<int:booking_id>/dokument/<int:document_id>"): BOOKING_BOTH,
    # meetings and the summary (avslutsrapport): participant data, so only the two sides
    ("GET", "/placeringar/<int:booking_id>/moten"): BOOKING_BOTH,
    ("POST", "/placeringar/<int:booking_id>/moten"): BOOKING_BOTH,
    ("GET", "/placeringar/<int:booking_id>/moten/<int:meeting_id>.ics"): BOOKING_BOTH,
    ("POST", "/placeringar/<int:booking_id>/moten/<int:meeting_id>/stall-in"): BOOKING_BOTH,
    ("GET", "/placeringar/<int:booking_id>/avslutsrapport"): BOOKING_BOTH,
    ("POST", "/placeringar/<int:booking_id>/avslutsrapport"): BOOKING_PROVIDER,
    # follow-ups
    ("GET", "/uppfoljningar"): SIGNED_IN,
    ("GET", "/uppfoljningar/<int:followup_id>"): BOOKING_BOTH,
    ("POST", "/uppfoljningar/<int:followup_id>"): BOOKING_BOTH,
    ("GET", "/uppfoljningar/placering/<int:booking_id>/narvaro"): BOOKING_BOTH,
    ("POST", "/uppfoljningar/placering/<int:booking_id>/narvaro"): BOOKING_PROVIDER,
    # statistics (aggregates only, small cells suppressed); the national file is unsuppressed
    ("GET", "/statistik"): SIGNED_IN,
    ("GET", "/statistik/export.<any(csv, xlsx):fmt>"): SIGNED_IN,
    ("GET", "/statistik/nationell.<any(csv, xlsx):fmt>"): FINANCE_OR_ADMIN,
    # billing pages
    ("GET", "/fakturering"): FINANCE_OR_ADMIN,
    ("GET", "/fakturering/reskontra"): FINANCE_OR_ADMIN,
    ("GET", "/fakturering/<period>"): FINANCE_OR_ADMIN,
    ("GET", "/fakturering/<period>/filer/<fmt>"): FINANCE_OR_ADMIN,
    ("POST", "/fakturering/<period>/stang"): FINANCE,
    ("GET", "/fakturering/bokning/<ref>"): FINANCE_OR_ADMIN,
    ("GET", "/fakturering/var-ekonomi"): "login 403 403 403 403 403 403 ok",  # district finance's own months
    # the forecast of one's own organisation (city finance and admin: any)
    ("GET", "/fakturering/prognos"): "login 403 403 ok ok ok ok ok",
    # an organisation's statement (RK, the district finance actor's own): city finance, admin, own district finance
    ("GET", "/fakturering/<period>/sammanstallning/<code>"): "login 403 403 403 403 ok ok ok",
    ("GET", "/fakturering/<period>/sammanstallning/<code>/<any(csv, xlsx):fmt>"): "login 403 403 403 403 ok ok ok",
    # disputes of billing lines (the world's dispute: RK bought from AMF)
    ("GET", "/fakturering/tvister"): "login ok ok ok ok ok 403 ok",
    ("GET", "/fakturering/tvister/ny"): "login ok ok ok ok 403 403 ok",
    ("POST", "/fakturering/tvister/ny"): "login ok ok ok ok 403 403 ok",  # an empty form: 422
    ("GET", "/fakturering/tvister/<int:dispute_id>"): "login ok 404 ok 404 ok 403 ok",
    ("POST", "/fakturering/tvister/<int:dispute_id>/besvara"): "login 403 404 ok 404 403 403 403",
    ("POST", "/fakturering/bokning/<ref>"): FINANCE_OR_ADMIN,
    # API
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("POST", "/api/v1/auth/token"): "401 401 401 401 401 401 401 401",  # open, and wrong credentials are refused
    ("GET", "/api/v1/me"): API_SIGNED_IN,
    ("DELETE", "/api/v1/auth/token"): API_SIGNED_IN,  # revokes the caller's own token
    ("GET", "/api/v1/notifications"): API_SIGNED_IN,  # the caller's own only
    ("POST", "/api/v1/notifications/<int:id>/read"): "401 ok 404 404 404 404 404 404",
    ("POST", "/api/v1/notifications/read-all"): API_SIGNED_IN,
    ("GET", "/api/v1/me/notification-settings"): API_SIGNED_IN,
    ("PUT", "/api/v1/me/notification-settings"): API_SIGNED_IN,
    ("GET", "/api/v1/hsds/services"): PUBLIC,  # open data: the published catalogue, no personal data
    ("GET", "/api/v1/organisations"): API_SIGNED_IN,
    ("GET", "/api/v1/categories"): API_SIGNED_IN,
    ("GET", "/api/v1/target-groups"): API_SIGNED_IN,
    ("GET", "/api/v1/programmes"): API_SIGNED_IN,
    ("POST", "/api/v1/programmes"): "401 403 403 ok ok 403 ok 403",
    ("GET", "/api/v1/programmes/<int:programme_id>"): API_SIGNED_IN,
    ("PATCH", "/api/v1/programmes/<int:programme_id>"): "401 403 403 ok 403 403 ok 403",
    ("POST", "/api/v1/programmes/<int:programme_id>/confirm"): "401 403 403 ok 403 403 ok 403",
    ("GET", "/api/v1/programmes/<int:programme_id>/availability"): API_SIGNED_IN,
    ("GET", "/api/v1/programmes/<int:programme_id>/supervisors"): "401 403 403 ok 403 403 ok 403",
    ("PUT", "/api/v1/programmes/<int:programme_id>/supervisors/<int:user_id>"): "401 403 403 ok 403 403 ok 403",
    ("DELETE", "/api/v1/programmes/<int:programme_id>/supervisors/<int:user_id>"): "401 403 403 ok 403 403 ok 403",
    ("GET", "/api/v1/bookings"): API_SIGNED_IN,  # lists only what the caller may see
    ("POST", "/api/v1/bookings"): "401 ok ok 403 403 403 403 403",
    ("GET", "/api/v1/bookings/<int:id>"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/approve"): API_BOOKING_PROVIDER,
    ("POST", "/api/v1/bookings/<int:id>/reject"): API_BOOKING_PROVIDER,
    ("POST", "/api/v1/bookings/<int:id>/cancel"): API_BOOKING_BUYER,
    ("POST", "/api/v1/bookings/<int:id>/end"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/extension"): API_BOOKING_BUYER,
    ("POST", "/api/v1/bookings/<int:id>/extension/approve"): API_BOOKING_PROVIDER,
    ("POST", "/api/v1/bookings/<int:id>/extension/reject"): API_BOOKING_PROVIDER,
    ("GET", "/api/v1/bookings/<int:id>/messages"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/messages"): API_BOOKING_BOTH,
    ("GET", "/api/v1/bookings/<int:id>/documents"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/documents"): API_BOOKING_BOTH,
    ("GET", "/api/v1/bookings/<int:id>/documents/<int:document_id>"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/forward"): API_BOOKING_BUYER,  # the world's booking is approved: 409
    ("POST", "/api/v1/bookings/decisions"): "401 403 403 ok ok 403 403 403",  # 200 with a result per booking
    ("GET", "/api/v1/bookings/<int:id>/meetings"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/meetings"): API_BOOKING_BOTH,
    ("GET", "/api/v1/bookings/<int:id>/meetings/<int:mid>.ics"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/meetings/<int:mid>/cancel"): API_BOOKING_BOTH,
    ("GET", "/api/v1/bookings/<int:id>/summary"): API_BOOKING_BOTH,
    ("PUT", "/api/v1/bookings/<int:id>/summary"): API_BOOKING_PROVIDER,  # the world's booking has not ended: 409
    ("GET", "/api/v1/bookings/<int:id>/followups"): API_BOOKING_BOTH,
    ("POST", "/api/v1/bookings/<int:id>/followups"): API_BOOKING_BOTH,
    ("GET", "/api/v1/bookings/<int:id>/attendance"): API_BOOKING_BOTH,
    ("PUT", "/api/v1/bookings/<int:id>/attendance/<iso_week>"): API_BOOKING_PROVIDER,  # a week ahead: 422
    ("GET", "/api/v1/statistics"): API_SIGNED_IN,
    ("GET", "/api/v1/billing/periods/<period>"): API_FINANCE_OR_ADMIN,
    ("POST", "/api/v1/billing/periods/<period>/close"): API_FINANCE,
    ("GET", "/api/v1/billing/periods/<period>/files/<fmt>"): API_FINANCE_OR_ADMIN,
    # webhooks: an organisation's admin or coordinator, for its own endpoints (the world's is AMF's)
    ("POST", "/api/v1/webhooks"): "401 403 403 ok ok 403 ok 403",
    ("GET", "/api/v1/webhooks"): "401 403 403 ok ok 403 ok 403",
    ("DELETE", "/api/v1/webhooks/<int:id>"): "401 403 403 ok 404 403 ok 403",
    ("GET", "/api/v1/webhooks/<int:id>/deliveries"): "401 403 403 ok 404 403 ok 403",
    ("GET", "/api/v1/billing/periods/<period>/statements/<organisation_code>"): "401 403 403 403 403 ok ok ok",
    ("GET", "/api/v1/billing/forecast"): "401 403 403 ok ok ok ok ok",
    # disputes: the buyer's side raises (another's booking answers 422 like an unknown one), the provider's side
    # answers, both sides and city finance read; the raiser's booking and month come from JSON_BODIES
    ("POST", "/api/v1/billing/disputes"): "401 ok 422 403 422 403 403 ok",
    ("GET", "/api/v1/billing/disputes"): "401 ok ok ok ok ok 403 ok",
    ("GET", "/api/v1/billing/disputes/<int:id>"): "401 ok 404 ok 404 ok 403 ok",
    ("POST", "/api/v1/billing/disputes/<int:id>/resolve"): "401 403 404 ok 404 403 403 403",
}

# The people who run programmes, one more table so that MATRIX's rows stay as they are. Columns:
# a supervisor (arbetsledare) of AMF assigned to the world's programme, one of AMF not assigned
# to it, a manager (enhetschef) of the booking's buyer RK and one of HV (_world.ROLE_ACTORS).
# Every route needs an entry here as well as in MATRIX.
R_ALL = "ok ok ok ok"
R_DENIED = "403 403 403 403"
R_HIDDEN = "404 404 404 404"  # the buyer's and the provider's own exchange, and what only coordinators see
R_BOOKING = "ok 404 ok 404"  # read: the assigned supervisor (with the participant), the buyer's manager (without)
R_BOOKING_ACT = "403 404 403 404"  # visible to them, but neither changes a booking
R_FOLLOW_UP = "ok 404 404 404"  # participant data and the supervisor's work: attendance and follow-ups
R_STATISTICS = "403 403 ok ok"  # managers read the statistics; a supervisor keeps its programmes only

ROLE_MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/"): R_ALL,
    ("GET", "/healthz"): R_ALL,
    ("GET", "/static/<path:filename>"): R_ALL,
    ("GET", "/logga-in"): R_ALL,
    ("POST", "/logga-in"): R_ALL,
    ("POST", "/logga-ut"): "login login login login",
    ("GET", "/logga-in/kod"): R_ALL,
    ("POST", "/logga-in/kod"): R_ALL,
    ("GET", "/logga-in/stadens-konto"): R_HIDDEN,
    ("GET", "/logga-in/stadens-konto/klar"): R_HIDDEN,
    ("GET", "/konto/tvafaktor"): R_ALL,
    ("POST", "/konto/tvafaktor"): R_ALL,
    ("GET", "/konto/losenord"): R_ALL,
    ("POST", "/konto/losenord"): R_ALL,
    ("GET", "/konto/sessioner"): R_ALL,
    ("POST", "/konto/sessioner/logga-ut-overallt"): R_ALL,
    ("GET", "/aviseringar"): R_ALL,  # each one's own notifications; the world's one is staff_own's
    ("POST", "/aviseringar/<int:notification_id>/last"): R_HIDDEN,
    ("POST", "/aviseringar/las-alla"): R_ALL,
    ("GET", "/konto/aviseringar"): R_ALL,
    ("POST", "/konto/aviseringar"): R_ALL,
    ("POST", "/sprak/<code>"): R_ALL,
    # administration
    ("GET", "/admin"): R_DENIED,
    ("GET", "/admin/anvandare"): R_DENIED,
    ("GET", "/admin/anvandare/ny"): R_DENIED,
    ("POST", "/admin/anvandare/ny"): R_DENIED,
    ("POST", "/admin/anvandare/<int:user_id>/inaktivera"): R_DENIED,
    ("POST", "/admin/anvandare/<int:user_id>/aktivera"): R_DENIED,
    ("POST", "/admin/anvandare/<int:user_id>/tvafaktor"): R_DENIED,
    ("GET", "/admin/granskningslogg"): R_DENIED,
    ("GET", "/admin/granskningslogg.csv"): R_DENIED,
    ("GET", "/admin/loggkontroll"): R_DENIED,
    ("POST", "/admin/loggkontroll"): R_DENIED,
    ("GET", "/admin/gallring"): R_DENIED,
    ("POST", "/admin/gallring"): R_DENIED,
    ("GET", "/admin/organisationer"): R_DENIED,
    ("GET", "/admin/organisationer/<code>"): R_DENIED,
    ("POST", "/admin/organisationer/<code>"): R_DENIED,
    # catalogue: everyone signed in reads it; only its keepers change it
    ("GET", "/insatser"): R_ALL,
    ("GET", "/insatser/<int:programme_id>"): R_ALL,
    ("GET", "/insatser/<int:programme_id>/belaggning"): R_HIDDEN,
    ("GET", "/insatser/<int:programme_id>/boka"): R_DENIED,
    ("POST", "/insatser/<int:programme_id>/boka"): R_DENIED,
    ("GET", "/vara-insatser"): R_DENIED,
    ("GET", "/vara-insatser/ny"): R_DENIED,
    ("POST", "/vara-insatser/ny"): R_DENIED,
    ("GET", "/vara-insatser/importera"): R_DENIED,
    ("POST", "/vara-insatser/importera"): R_DENIED,
    ("GET", "/vara-insatser/importera/mall.csv"): R_DENIED,
    ("GET", "/vara-insatser/<int:programme_id>/andra"): R_DENIED,
    ("POST", "/vara-insatser/<int:programme_id>/andra"): R_DENIED,
    ("POST", "/vara-insatser/<int:programme_id>/status"): R_DENIED,
    ("POST", "/vara-insatser/<int:programme_id>/bekrafta"): R_DENIED,
    ("GET", "/vara-insatser/<int:programme_id>/arbetsledare"): R_DENIED,
    ("POST", "/vara-insatser/<int:programme_id>/arbetsledare"): R_DENIED,
    ("POST", "/vara-insatser/<int:programme_id>/arbetsledare/<int:user_id>/ta-bort"): R_DENIED,
    # bookings: the list (a supervisor's programmes, a manager's organisation), one booking, no actions
    ("GET", "/placeringar"): R_ALL,
    ("GET", "/placeringar/export.<any(csv, xlsx):fmt>"): R_DENIED,  # the coordinators' download
    ("GET", "/placeringar/narvaro.xlsx"): R_DENIED,
    ("POST", "/forfragningar/beslut"): R_DENIED,
    ("GET", "/forfragningar"): R_DENIED,
    ("GET", "/placeringar/<int:booking_id>"): R_BOOKING,
    ("POST", "/placeringar/<int:booking_id>/godkann"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/avsla"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/avboka"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/avsluta"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/forlang"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/forlangning/godkann"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/forlangning/avsla"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/skicka-vidare"): R_BOOKING_ACT,
    ("POST", "/placeringar/<int:booking_id>/meddelanden"): R_HIDDEN,
    ("POST", "/placeringar/<int:booking_id>/dokument"): R_HIDDEN,
    ("GET", "/placeringar/<int:booking_id>/dokument/<int:document_id>"): R_HIDDEN,
    ("GET", "/placeringar/<int:booking_id>/moten"): R_HIDDEN,
    ("POST", "/placeringar/<int:booking_id>/moten"): R_HIDDEN,
    ("GET", "/placeringar/<int:booking_id>/moten/<int:meeting_id>.ics"): R_HIDDEN,
    ("POST", "/placeringar/<int:booking_id>/moten/<int:meeting_id>/stall-in"): R_HIDDEN,
    ("GET", "/placeringar/<int:booking_id>/avslutsrapport"): R_HIDDEN,
    ("POST", "/placeringar/<int:booking_id>/avslutsrapport"): R_HIDDEN,
    # follow-ups and attendance: the assigned supervisor records them; a manager never sees them
    ("GET", "/uppfoljningar"): R_ALL,
    ("GET", "/uppfoljningar/<int:followup_id>"): R_FOLLOW_UP,
    ("POST", "/uppfoljningar/<int:followup_id>"): R_FOLLOW_UP,
    ("GET", "/uppfoljningar/placering/<int:booking_id>/narvaro"): R_FOLLOW_UP,
    ("POST", "/uppfoljningar/placering/<int:booking_id>/narvaro"): R_FOLLOW_UP,
    ("GET", "/api/v1/bookings/<int:id>/followups"): R_FOLLOW_UP,
    ("POST", "/api/v1/bookings/<int:id>/followups"): R_FOLLOW_UP,
    ("GET", "/api/v1/bookings/<int:id>/attendance"): R_FOLLOW_UP,
    ("PUT", "/api/v1/bookings/<int:id>/attendance/<iso_week>"): R_FOLLOW_UP,  # a week ahead: 422
    # statistics
    ("GET", "/statistik"): R_STATISTICS,
    ("GET", "/statistik/export.<any(csv, xlsx):fmt>"): R_STATISTICS,
    ("GET", "/statistik/nationell.<any(csv, xlsx):fmt>"): R_DENIED,
    # billing
    ("GET", "/fakturering"): R_DENIED,
    ("GET", "/fakturering/reskontra"): R_DENIED,
    ("GET", "/fakturering/<period>"): R_DENIED,
    ("GET", "/fakturering/<period>/filer/<fmt>"): R_DENIED,
    ("POST", "/fakturering/<period>/stang"): R_DENIED,
    ("GET", "/fakturering/bokning/<ref>"): R_DENIED,
    ("POST", "/fakturering/bokning/<ref>"): R_DENIED,
    ("GET", "/fakturering/var-ekonomi"): R_DENIED,
    ("GET", "/fakturering/prognos"): R_DENIED,
    ("GET", "/fakturering/<period>/sammanstallning/<code>"): R_DENIED,
    ("GET", "/fakturering/<period>/sammanstallning/<code>/<any(csv, xlsx):fmt>"): R_DENIED,
    ("GET", "/fakturering/tvister"): R_DENIED,
    ("GET", "/fakturering/tvister/ny"): R_DENIED,
    ("POST", "/fakturering/tvister/ny"): R_DENIED,
    ("GET", "/fakturering/tvister/<int:dispute_id>"): R_DENIED,
    ("POST", "/fakturering/tvister/<int:dispute_id>/besvara"): R_DENIED,
    ("POST", "/api/v1/billing/disputes"): R_DENIED,
    ("GET", "/api/v1/billing/disputes"): R_DENIED,
    ("GET", "/api/v1/billing/disputes/<int:id>"): R_DENIED,
    ("POST", "/api/v1/billing/disputes/<int:id>/resolve"): R_DENIED,
    # API
    ("GET", "/api/v1/openapi.json"): R_ALL,
    ("POST", "/api/v1/auth/token"): "401 401 401 401",  # wrong credentials
    ("GET", "/api/v1/me"): R_ALL,
    ("GET", "/api/v1/notifications"): R_ALL,
    ("POST", "/api/v1/notifications/<int:id>/read"): R_HIDDEN,
    ("POST", "/api/v1/notifications/read-all"): R_ALL,
    ("GET", "/api/v1/me/notification-settings"): R_ALL,
    ("PUT", "/api/v1/me/notification-settings"): R_ALL,
    ("DELETE", "/api/v1/auth/token"): R_ALL,
    ("GET", "/api/v1/hsds/services"): R_ALL,
    ("GET", "/api/v1/organisations"): R_ALL,
    ("GET", "/api/v1/categories"): R_ALL,
    ("GET", "/api/v1/target-groups"): R_ALL,
    ("GET", "/api/v1/programmes"): R_ALL,
    ("POST", "/api/v1/programmes"): R_DENIED,
    ("GET", "/api/v1/programmes/<int:programme_id>"): R_ALL,
    ("PATCH", "/api/v1/programmes/<int:programme_id>"): R_DENIED,
    ("POST", "/api/v1/programmes/<int:programme_id>/confirm"): R_DENIED,
    ("GET", "/api/v1/programmes/<int:programme_id>/availability"): R_ALL,
    ("GET", "/api/v1/programmes/<int:programme_id>/supervisors"): R_DENIED,
    ("PUT", "/api/v1/programmes/<int:programme_id>/supervisors/<int:user_id>"): R_DENIED,
    ("DELETE", "/api/v1/programmes/<int:programme_id>/supervisors/<int:user_id>"): R_DENIED,
    ("GET", "/api/v1/bookings"): R_ALL,
    ("POST", "/api/v1/bookings"): R_DENIED,
    ("POST", "/api/v1/bookings/decisions"): R_DENIED,
    ("GET", "/api/v1/bookings/<int:id>"): R_BOOKING,
    ("POST", "/api/v1/bookings/<int:id>/approve"): R_BOOKING_ACT,
    ("POST", "/api/v1/bookings/<int:id>/reject"): R_BOOKING_ACT,
    ("POST", "/api/v1/bookings/<int:id>/cancel"): R_BOOKING_ACT,
    ("POST", "/api/v1/bookings/<int:id>/end"): R_BOOKING_ACT,
    ("POST", "/api/v1/bookings/<int:id>/extension"): R_BOOKING_ACT,
    ("POST", "/api/v1/bookings/<int:id>/extension/approve"): R_BOOKING_ACT,
    ("POST", "/api/v1/bookings/<int:id>/extension/reject"): R_BOOKING_ACT,
    ("POST", "/api/v1/bookings/<int:id>/forward"): R_BOOKING_ACT,
    ("GET", "/api/v1/bookings/<int:id>/messages"): R_HIDDEN,
    ("POST", "/api/v1/bookings/<int:id>/messages"): R_HIDDEN,
    ("GET", "/api/v1/bookings/<int:id>/documents"): R_HIDDEN,
    ("POST", "/api/v1/bookings/<int:id>/documents"): R_HIDDEN,
    ("GET", "/api/v1/bookings/<int:id>/documents/<int:document_id>"): R_HIDDEN,
    ("GET", "/api/v1/bookings/<int:id>/meetings"): R_HIDDEN,
    ("POST", "/api/v1/bookings/<int:id>/meetings"): R_HIDDEN,
    ("GET", "/api/v1/bookings/<int:id>/meetings/<int:mid>.ics"): R_HIDDEN,
    ("POST", "/api/v1/bookings/<int:id>/meetings/<int:mid>/cancel"): R_HIDDEN,
    ("GET", "/api/v1/bookings/<int:id>/summary"): R_HIDDEN,
    ("PUT", "/api/v1/bookings/<int:id>/summary"): R_HIDDEN,
    ("GET", "/api/v1/statistics"): R_STATISTICS,
    ("GET", "/api/v1/billing/periods/<period>"): R_DENIED,
    ("POST", "/api/v1/billing/periods/<period>/close"): R_DENIED,
    ("GET", "/api/v1/billing/periods/<period>/files/<fmt>"): R_DENIED,
    ("GET", "/api/v1/billing/periods/<period>/statements/<organisation_code>"): R_DENIED,
    ("GET", "/api/v1/billing/forecast"): R_DENIED,
    ("POST", "/api/v1/webhooks"): R_DENIED,
    ("GET", "/api/v1/webhooks"): R_DENIED,
    ("DELETE", "/api/v1/webhooks/<int:id>"): R_DENIED,
    ("GET", "/api/v1/webhooks/<int:id>/deliveries"): R_DENIED,
}

_codes = itertools.count(1)
# Valid input where the route needs it, so that a permitted actor gets past validation.
JSON_BODIES = {
    "/api/v1/auth/token": lambda world: {"email": "nobody@matrix.test", "password": "wrong-password"},
    "/api/v1/bookings": lambda world: {
        "programme_id": world.ids["programme"], "start_date": "2026-06-01", "end_date": "2026-06-30",
        "participant": {"reference": "ÄR-M", "name": "Matris Deltagare"},
        "assignment": {"purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter"}},
    "/api/v1/programmes": lambda world: {
        "code": f"M-{next(_codes):04d}", "name": "Matrisinsats", "category": "painting", "capacity": 2,
        "price": {"amount": "100.00", "unit": "month"}},
    "/api/v1/programmes/<int:programme_id>": lambda world: {"schedule": "Mån–fre 9–15"},
    "/api/v1/bookings/<int:id>/reject": lambda world: {"reason": "Matris"},
    "/api/v1/bookings/<int:id>/cancel": lambda world: {"reason": "Matris"},
    "/api/v1/bookings/<int:id>/end": lambda world: {"end_date": "2026-07-31", "outcome": "work"},
    "/api/v1/bookings/<int:id>/extension": lambda world: {"end_date": "2026-09-30"},
    "/api/v1/bookings/<int:id>/extension/reject": lambda world: {"reason": "Matris"},
    "/api/v1/webhooks": lambda world: {"url": "http://127.0.0.1:9/matrix", "events": ["booking.approved"]},
    "/api/v1/billing/disputes": lambda world: {"booking_ref": april_booking_ref(world), "period": "2026-04",
                                               "reason": "Matris"},
    "/api/v1/billing/disputes/<int:id>/resolve": lambda world: {"decision": "rejected", "note": "Matris"},
    "/api/v1/bookings/<int:id>/messages": lambda world: {"body": "Matris"},
    "/api/v1/me/notification-settings": lambda world: {"mail": {"decision": "daily"}},
    "/api/v1/bookings/<int:id>/forward": lambda world: {
        "programme_id": world.ids["programme"], "start_date": "2026-09-01", "end_date": "2026-09-30"},
    "/api/v1/bookings/<int:id>/meetings": lambda world: {
        "kind": "follow_up", "starts_at": "2026-06-10T10:00:00+02:00", "ends_at": "2026-06-10T11:00:00+02:00"},
    "/api/v1/bookings/<int:id>/summary": lambda world: {"attendance": "Matris", "achieved": "Matris"},
    "/api/v1/bookings/<int:id>/followups": lambda world: {
        "capacity_physical": 3, "capacity_mental": 3, "capacity_social": 3, "participant_view": "Matris",
        "progress_goals": "Matris"},
    "/api/v1/bookings/<int:id>/attendance/<iso_week>": lambda world: {"days_present": 1, "days_planned": 1},
    "/api/v1/bookings/decisions": lambda world: {"decisions": [{"id": world.ids["booking"], "decision": "approve"}]},
}
# Multipart uploads: (form fields, file part) built anew for each actor.
MULTIPART = {
    "/api/v1/bookings/<int:id>/documents": lambda: {"kind": "other", "file": (__import__("io").BytesIO(b"%PDF-1.7\n"), "m.pdf")},
    "/placeringar/<int:booking_id>/dokument": lambda: {"kind": "other", "file": (__import__("io").BytesIO(b"%PDF-1.7\n"), "m.pdf")},
}
QUERIES = {
    "/api/v1/programmes/<int:programme_id>/availability": "?from=2026-06-01&to=2026-06-07",
    "/statistik/nationell.<any(csv, xlsx):fmt>": "?year=2025",
    "/placeringar/narvaro.xlsx": "?manad=2026-05",
}
FRESH_SESSION = {"/logga-ut", "/konto/sessioner/logga-ut-overallt"}  # routes that end the session: each actor signs in anew for them
# Routes that end the actor's API token or other sessions: the world's credentials are renewed after them.
ENDS_CREDENTIALS = {("DELETE", "/api/v1/auth/token"), ("POST", "/konto/sessioner/logga-ut-overallt")}


@pytest.fixture(scope="module")
def world(database_template, tmp_path_factory):
    from marketplace.app import create_app

    folder = tmp_path_factory.mktemp("matrix")
    if database_template["kind"] == "sqlite":
        shutil.copyfile(database_template["template"], folder / "db.sqlite3")
        url = f"sqlite:///{folder / 'db.sqlite3'}"
    else:
        server = make_url(database_template["url"])
        name = f"{server.database}_matrix_{uuid.uuid4().hex[:6]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        init_db(engine)
        engine.dispose()
    # The sign-in throttle (tested on its own) would count the token route's wrong credentials
    # of both tables from one address and then refuse the sign-ins the session routes need.
    app = create_app(Settings(env="test", database_url=url, secret_key="matrix", instance_path=folder / "instance",
                              scheduler_in_process=False, now=datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc),
                              login_max_failures=1_000))
    app.config["WTF_CSRF_ENABLED"] = False
    engine = app.extensions["insatstorget"].engine
    yield build_world(app, engine)
    engine.dispose()
    from marketplace.kernel import clock

    clock.freeze(None)
    if database_template["kind"] != "sqlite":
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _renew_credentials(world, actor: str) -> None:
    from sqlalchemy.orm import Session

    from marketplace.auth import tokens
    from marketplace.auth.models import User

    engine = world.app.extensions["insatstorget"].engine
    world.clients[actor] = _sign_in(world.app, engine, world.users[actor])
    with Session(engine) as db:
        world.tokens[actor], _ = tokens.issue_api_token(db, db.get(User, world.users[actor].id),
                                                        now=datetime.now(timezone.utc), lifetime=timedelta(days=1))
        db.commit()


def _routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}}


def _matches(expected: str, response) -> bool:
    status = response.status_code
    to_login = status == 302 and "/logga-in" in response.headers.get("Location", "").split("?")[0]
    if expected == "login":
        return to_login
    if expected == "ok":
        return status not in (401, 403, 404) and status < 500 and not to_login
    return status == int(expected)


def test_every_route_has_an_entry_and_every_entry_a_route(world):
    routes = _routes(world.app)
    assert sorted(routes - MATRIX.keys()) == [], "routes without an entry in MATRIX: decide who may use them"
    assert sorted(MATRIX.keys() - routes) == [], "entries in MATRIX for routes that no longer exist"


def test_every_entry_names_every_actor():
    for key, expected in MATRIX.items():
        assert len(expected.split()) == len(ACTOR_KEYS), key


@pytest.mark.parametrize(("method", "rule"), sorted(MATRIX), ids=[f"{m} {r}" for m, r in sorted(MATRIX)])
def test_route_answers_each_actor_as_the_matrix_says(world, method, rule):
    _check(world, method, rule, ACTOR_KEYS, MATRIX[(method, rule)])


def test_every_route_has_an_entry_for_supervisors_and_managers(world):
    routes = _routes(world.app)
    assert sorted(routes - ROLE_MATRIX.keys()) == [], "routes without an entry in ROLE_MATRIX: decide for supervisor and manager"
    assert sorted(ROLE_MATRIX.keys() - routes) == [], "entries in ROLE_MATRIX for routes that no longer exist"


def test_every_role_entry_names_every_supervisor_and_manager():
    for key, expected in ROLE_MATRIX.items():
        assert len(expected.split()) == len(ROLE_ACTOR_KEYS), key


@pytest.mark.parametrize(("method", "rule"), sorted(ROLE_MATRIX), ids=[f"{m} {r}" for m, r in sorted(ROLE_MATRIX)])
def test_route_answers_supervisors_and_managers_as_the_role_matrix_says(world, method, rule):
    _check(world, method, rule, ROLE_ACTOR_KEYS, ROLE_MATRIX[(method, rule)])


def _check(world, method: str, rule: str, actors: tuple[str, ...], expectations: str) -> None:
    """Ask the route as each actor (in a fresh world booking) and compare with the expectations."""
    url_rule = next((r for r in world.app.url_map.iter_rules() if r.rule == rule and method in r.methods), None)
    if url_rule is None:
        pytest.fail(f"{method} {rule} has an entry but is not in the app")
    fresh_booking(world, world.app.extensions["insatstorget"].engine)
    url = fill(url_rule, world) + QUERIES.get(rule, "")
    wrong = []
    for actor, expected in zip(actors, expectations.split()):
        client = world.client(actor)
        if rule in FRESH_SESSION and actor in world.users:
            client = _sign_in(world.app, world.app.extensions["insatstorget"].engine, world.users[actor])
        kwargs = {"data": MULTIPART[rule](), "content_type": "multipart/form-data"} if rule in MULTIPART else {}
        if url.startswith("/api/"):
            kwargs["headers"] = world.headers(actor)
            if method in ("POST", "PATCH", "PUT") and rule not in MULTIPART:
                kwargs["json"] = JSON_BODIES.get(rule, lambda _world: {})(world)
        response = client.open(url, method=method, **kwargs)
        if (method, rule) in ENDS_CREDENTIALS and actor in world.users:
            _renew_credentials(world, actor)
        if not _matches(expected, response):
            wrong.append(f"{actor}: expected {expected}, got {response.status_code} {response.headers.get('Location', '')}")
    assert wrong == [], f"{method} {url}:\n" + "\n".join(wrong)
