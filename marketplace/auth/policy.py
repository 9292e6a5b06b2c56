"""The one place that decides permissions. Views, API handlers and jobs ask it; nobody else decides.

Rules follow DESIGN.md: staff act for their own organisation as buyer; coordinators keep
their own organisation's programmes and decide requests to them; supervisors (arbetsledare)
keep attendance and follow-ups of the programmes they are assigned to and see those
placements' participants; managers (enhetschef) read their organisation's bookings without
participant data, and the statistics; finance sees money,
never participant data (district finance only its own organisation's); admin runs the system. Visibility questions (`can_see_…`) decide
404; permission questions (`can_…`) decide 403 on something the actor may see.

A supervisor's rights hang on the programme: questions about a placement take its
`programme_id`; asked without it (messages, documents, meetings, the summary: the buyer's
and the provider's own exchange) a supervisor is never let through.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.auth.models import Role


@dataclass(frozen=True)
class Actor:
    """Who is acting: the signed-in user with the organisation and roles they act under."""

    user_id: int
    name: str
    email: str
    organisation_id: int
    organisation_code: str
    roles: frozenset[str]
    organisation_name: str  # for messages that name the acting organisation
    supervised_programme_ids: frozenset[int] = frozenset()  # supervisor: its assigned programmes (own organisation's)

    def has(self, role: Role | str) -> bool:
        return str(role) in self.roles

    @property
    def is_admin(self) -> bool:
        return self.has(Role.ADMIN)


# --- accounts -------------------------------------------------------------------------------


def can_manage_users(actor: Actor) -> bool:
    return actor.is_admin


def can_edit_accounting_codes(actor: Actor) -> bool:
    return actor.is_admin


# --- catalogue ------------------------------------------------------------------------------


def can_search_catalogue(actor: Actor) -> bool:
    return bool(actor.roles)


def can_create_programme(actor: Actor, organisation_id: int) -> bool:
    return actor.is_admin or (actor.has(Role.COORDINATOR) and actor.organisation_id == organisation_id)


def can_see_unpublished_programme(actor: Actor, organisation_id: int) -> bool:
    """Drafts, paused and archived entries are visible only to their keepers."""
    return can_create_programme(actor, organisation_id)


def can_edit_programme(actor: Actor, organisation_id: int) -> bool:
    return can_create_programme(actor, organisation_id)


def can_import_programmes(actor: Actor) -> bool:
    return actor.is_admin or actor.has(Role.COORDINATOR)


def can_assign_supervisors(actor: Actor, organisation_id: int) -> bool:
    """The programme's keepers (its organisation's coordinators, or admin) assign its supervisors."""
    return can_edit_programme(actor, organisation_id)


def can_be_assigned_supervisor(roles: frozenset[str], user_organisation_id: int, programme_organisation_id: int) -> bool:
    """Only a supervisor of the programme's own organisation can be assigned to it."""
    return Role.SUPERVISOR.value in roles and user_organisation_id == programme_organisation_id


# --- bookings -------------------------------------------------------------------------------


def is_buyer_staff(actor: Actor, buyer_organisation_id: int) -> bool:
    return actor.has(Role.STAFF) and actor.organisation_id == buyer_organisation_id


def is_provider_coordinator(actor: Actor, provider_organisation_id: int) -> bool:
    return actor.has(Role.COORDINATOR) and actor.organisation_id == provider_organisation_id


def is_programme_supervisor(actor: Actor, programme_id: int | None) -> bool:
    return programme_id is not None and actor.has(Role.SUPERVISOR) and programme_id in actor.supervised_programme_ids


def is_organisation_manager(actor: Actor, buyer_organisation_id: int, provider_organisation_id: int) -> bool:
    """A manager reads the bookings its organisation buys or provides."""
    return actor.has(Role.MANAGER) and actor.organisation_id in (buyer_organisation_id, provider_organisation_id)


def can_see_booking(actor: Actor, buyer_organisation_id: int, provider_organisation_id: int,
                    programme_id: int | None = None) -> bool:
    """The buyer's staff, the provider's coordinators, the programme's supervisors and the
    managers of either organisation see a booking at all (else 404)."""
    return (can_see_participant(actor, buyer_organisation_id, provider_organisation_id, programme_id)
            or is_organisation_manager(actor, buyer_organisation_id, provider_organisation_id))


def can_see_participant(actor: Actor, buyer_organisation_id: int, provider_organisation_id: int,
                        programme_id: int | None = None) -> bool:
    """Participant data: the buyer's staff, the provider's coordinators and the programme's
    supervisors; managers, finance and admin never (DESIGN.md, privacy)."""
    return (is_buyer_staff(actor, buyer_organisation_id) or is_provider_coordinator(actor, provider_organisation_id)
            or is_programme_supervisor(actor, programme_id))


@dataclass(frozen=True)
class BookingScope:
    """Which bookings an actor sees, as data a query turns into SQL (the rule of can_see_booking):
    bought by `buyer`, provided by `provider` (organisation ids) or in `programmes`."""

    buyer: int | None
    provider: int | None
    programmes: frozenset[int]

    @property
    def empty(self) -> bool:
        return self.buyer is None and self.provider is None and not self.programmes


def booking_scope(actor: Actor, side: str | None = None, *, participant: bool = False) -> BookingScope:
    """The bookings actor may see (participant=True: whose participant it may see), optionally
    only as buyer or only as provider; a supervisor's programmes count as the provider side."""
    own = actor.organisation_id
    manager = actor.has(Role.MANAGER) and not participant
    buyer = own if side in (None, "buyer") and (actor.has(Role.STAFF) or manager) else None
    provider = own if side in (None, "provider") and (actor.has(Role.COORDINATOR) or manager) else None
    programmes = actor.supervised_programme_ids if side in (None, "provider") and actor.has(Role.SUPERVISOR) else frozenset()
    return BookingScope(buyer, provider, frozenset(programmes))


def can_list_bookings(actor: Actor) -> bool:
    """The placement list page: those who see bookings by their role (not finance or admin)."""
    return any(actor.has(role) for role in (Role.STAFF, Role.COORDINATOR, Role.SUPERVISOR, Role.MANAGER))


def can_list_followups(actor: Actor) -> bool:
    """Those who follow placements up: the buyer's staff, the provider's coordinators, supervisors."""
    return any(actor.has(role) for role in (Role.STAFF, Role.COORDINATOR, Role.SUPERVISOR))


def can_request_place(actor: Actor) -> bool:
    return actor.has(Role.STAFF)


def can_decide_booking(actor: Actor, provider_organisation_id: int) -> bool:
    return is_provider_coordinator(actor, provider_organisation_id)


def can_cancel_booking(actor: Actor, buyer_organisation_id: int) -> bool:
    return is_buyer_staff(actor, buyer_organisation_id)


def can_end_booking(actor: Actor, buyer_organisation_id: int, provider_organisation_id: int) -> bool:
    return is_buyer_staff(actor, buyer_organisation_id) or is_provider_coordinator(actor, provider_organisation_id)


def can_request_extension(actor: Actor, buyer_organisation_id: int) -> bool:
    return is_buyer_staff(actor, buyer_organisation_id)


def can_decide_extension(actor: Actor, provider_organisation_id: int) -> bool:
    """The provider approves an extension: it needs one of its places for longer."""
    return is_provider_coordinator(actor, provider_organisation_id)


def can_forward_booking(actor: Actor, buyer_organisation_id: int) -> bool:
    """The buyer's staff send a refused request on to another programme."""
    return is_buyer_staff(actor, buyer_organisation_id)


def can_plan_meeting(actor: Actor, buyer_organisation_id: int, provider_organisation_id: int) -> bool:
    """Both sides plan and cancel meetings (start, follow-up, end) of a placement they see."""
    return can_see_participant(actor, buyer_organisation_id, provider_organisation_id)


def can_write_summary(actor: Actor, provider_organisation_id: int) -> bool:
    """The provider's coordinators write the summary (avslutsrapport) of an ended placement."""
    return is_provider_coordinator(actor, provider_organisation_id)


def can_see_occupancy(actor: Actor, provider_organisation_id: int) -> bool:
    """The occupancy calendar (booking refs per place) is for the provider's coordinators."""
    return is_provider_coordinator(actor, provider_organisation_id)


def can_export_bookings(actor: Actor) -> bool:
    """Coordinators download their organisation's placements (as provider) and their attendance per month."""
    return actor.has(Role.COORDINATOR)


def can_decide_in_bulk(actor: Actor) -> bool:
    """Coordinators decide several requests at once from the inbox; each one still by can_decide_booking."""
    return actor.has(Role.COORDINATOR)


# --- billing and statistics -----------------------------------------------------------------


def can_see_billing(actor: Actor) -> bool:
    return actor.has(Role.FINANCE) or actor.is_admin


def can_close_month(actor: Actor) -> bool:
    return actor.has(Role.FINANCE)


def is_district_finance(actor: Actor) -> bool:
    """A district's ekonom: its own organisation's purchases and sales, never another's, never participants."""
    return actor.has(Role.DISTRICT_FINANCE)


def can_see_statements(actor: Actor) -> bool:
    """Who may ask for an organisation's statement at all (which one: can_see_statement)."""
    return can_see_billing(actor) or is_district_finance(actor)


def can_see_statement(actor: Actor, organisation_id: int) -> bool:
    """City finance and admin see every organisation's statement; district finance only its own (else 404)."""
    return can_see_billing(actor) or (is_district_finance(actor) and actor.organisation_id == organisation_id)


def can_see_forecasts(actor: Actor) -> bool:
    """The forecast: city finance and admin, district finance and coordinators (which one: can_see_forecast)."""
    return can_see_billing(actor) or is_district_finance(actor) or actor.has(Role.COORDINATOR)


def can_see_forecast(actor: Actor, organisation_id: int) -> bool:
    """City finance and admin any organisation's; district finance and coordinators their own (else 404)."""
    return can_see_billing(actor) or (can_see_forecasts(actor) and actor.organisation_id == organisation_id)


def can_correct_booking_price(actor: Actor) -> bool:
    """Finance or admin may correct a placement's agreed price (billing corrects closed months)."""
    return actor.has(Role.FINANCE) or actor.is_admin


# Disputes of billing lines: the buyer's district finance, coordinators and staff raise them, the
# provider's district finance and coordinators answer; city finance sees them all; nobody else.
_DISPUTE_BUYER_ROLES = (Role.DISTRICT_FINANCE, Role.COORDINATOR, Role.STAFF)
_DISPUTE_PROVIDER_ROLES = (Role.DISTRICT_FINANCE, Role.COORDINATOR)


def sees_buyer_disputes(actor: Actor) -> bool:
    """The actor sees (and raises) its own organisation's disputes as buyer."""
    return any(actor.has(role) for role in _DISPUTE_BUYER_ROLES)


def sees_provider_disputes(actor: Actor) -> bool:
    """The actor sees (and answers) its own organisation's disputes as provider."""
    return any(actor.has(role) for role in _DISPUTE_PROVIDER_ROLES)


def can_see_every_dispute(actor: Actor) -> bool:
    return actor.has(Role.FINANCE)


def can_see_disputes(actor: Actor) -> bool:
    """Who may ask for disputes at all (which ones: can_see_dispute); 403 for the rest."""
    return can_see_every_dispute(actor) or sees_buyer_disputes(actor) or sees_provider_disputes(actor)


def can_see_dispute(actor: Actor, buyer_organisation_id: int, provider_organisation_id: int) -> bool:
    """City finance, the buyer's side and the provider's side (else 404)."""
    return (can_see_every_dispute(actor)
            or (sees_buyer_disputes(actor) and actor.organisation_id == buyer_organisation_id)
            or (sees_provider_disputes(actor) and actor.organisation_id == provider_organisation_id))


def can_raise_disputes(actor: Actor) -> bool:
    return sees_buyer_disputes(actor)


def can_raise_dispute(actor: Actor, buyer_organisation_id: int) -> bool:
    """Only the buyer disputes what it was charged."""
    return sees_buyer_disputes(actor) and actor.organisation_id == buyer_organisation_id


def can_resolve_dispute(actor: Actor, provider_organisation_id: int) -> bool:
    """Only the provider accepts (with a credit) or rejects a dispute of what it charged."""
    return sees_provider_disputes(actor) and actor.organisation_id == provider_organisation_id


def can_see_statistics(actor: Actor) -> bool:
    """Every role but a supervisor alone: it keeps its programmes' placements and nothing else."""
    return bool(actor.roles - {Role.SUPERVISOR.value})


def can_export_national_report(actor: Actor) -> bool:
    """The yearly national file is unsuppressed (it goes to the authority), so finance and admin only."""
    return actor.has(Role.FINANCE) or actor.is_admin


# --- follow-ups and attendance --------------------------------------------------------------


def can_record_followup(actor: Actor, buyer_organisation_id: int, provider_organisation_id: int,
                        programme_id: int | None = None) -> bool:
    """The buyer's staff, the provider's coordinators and the programme's supervisors follow up
    together (DOMAIN 3.6: socialsekreterare with arbetsledare)."""
    return (is_buyer_staff(actor, buyer_organisation_id) or is_provider_coordinator(actor, provider_organisation_id)
            or is_programme_supervisor(actor, programme_id))


def can_record_attendance(actor: Actor, provider_organisation_id: int, programme_id: int | None = None) -> bool:
    """Attendance is kept by the provider (its coordinators and the programme's supervisors); the buyer only reads it."""
    return is_provider_coordinator(actor, provider_organisation_id) or is_programme_supervisor(actor, programme_id)


# --- administration -------------------------------------------------------------------------


def can_manage_webhooks(actor: Actor) -> bool:
    """An organisation's admin or coordinator registers its webhook endpoints (for that organisation only)."""
    return actor.is_admin or actor.has(Role.COORDINATOR)


def can_read_audit_log(actor: Actor) -> bool:
    return actor.is_admin


def needs_second_factor(roles: frozenset[str]) -> bool:
    """ASVS level 2: accounts that move money or run the system need TOTP."""
    return bool(roles & {Role.ADMIN.value, Role.FINANCE.value, Role.DISTRICT_FINANCE.value})
