"""JSON API of a programme's supervisors (arbetsledare): list, assign (PUT), remove (DELETE).

The programme's keepers only (policy.can_assign_supervisors: its organisation's
coordinators, or admin); the user must be an active supervisor of that organisation."""

from __future__ import annotations

from datetime import datetime

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from catalog.models import Programme
from marketplace.auth import policy, supervision
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Forbidden, NotFound
from marketplace.kernel.problems import Problem
from marketplace.programmes import service

api = APIBlueprint("supervisors_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="catalogue")])
SECURITY = [{"bearer": []}]


class SupervisorOut(BaseModel):
    id: int = Field(description="The user's id")
    name: str
    email: str
    active: bool
    assigned_at: datetime


class SupervisorList(BaseModel):
    items: list[SupervisorOut]
    total: int


class ProgrammePath(BaseModel):
    programme_id: int = Field(ge=1, le=2**31 - 1)


class SupervisorPath(ProgrammePath):
    user_id: int = Field(ge=1, le=2**31 - 1)


def _keeper_programme(programme_id: int) -> Programme:
    """The programme if the caller sees it (else 404) and keeps it (else 403)."""
    actor = http.require_api_actor()
    programme = service.get_visible_programme(http.request_session(), actor, programme_id)
    if programme is None:
        raise NotFound("No such programme.")
    if not policy.can_assign_supervisors(actor, programme.organisation_id):
        raise Forbidden("Only a coordinator of the providing organisation (or an admin) assigns its supervisors.")
    return programme


def _out(assignment: supervision.Assignment) -> dict:
    user = assignment.user
    return SupervisorOut(id=user.id, name=user.name, email=user.email, active=user.active,
                         assigned_at=assignment.assigned_at).model_dump(mode="json")


def _assignment(programme: Programme, user_id: int) -> supervision.Assignment:
    found = [a for a in supervision.supervisors_of(http.request_session(), programme.id) if a.user.id == user_id]
    return found[0]


@api.get("/programmes/<int:programme_id>/supervisors",
         responses={200: SupervisorList, 401: Problem, 403: Problem, 404: Problem}, security=SECURITY)
def list_supervisors(path: ProgrammePath):
    """The programme's assigned supervisors, by name."""
    programme = _keeper_programme(path.programme_id)
    items = [_out(a) for a in supervision.supervisors_of(http.request_session(), programme.id)]
    return {"items": items, "total": len(items)}


@api.put("/programmes/<int:programme_id>/supervisors/<int:user_id>",
         responses={200: SupervisorOut, 201: SupervisorOut, 401: Problem, 403: Problem, 404: Problem, 422: Problem},
         security=SECURITY)
def assign_supervisor(path: SupervisorPath):
    """Assign a supervisor of the programme's organisation: 201 when new, 200 when it already was.
    A user of another organisation (or none) 404; one without the supervisor role, or inactive, 422."""
    programme = _keeper_programme(path.programme_id)
    session = http.request_session()
    try:
        with transaction(session, write_lock=True):
            _row, created = supervision.assign(session, programme, path.user_id, actor=http.require_api_actor(),
                                               now=clock.now(), ip=http.client_ip())
    except IntegrityError:  # assigned at the same moment by another request
        created = False
    return _out(_assignment(programme, path.user_id)), 201 if created else 200


@api.delete("/programmes/<int:programme_id>/supervisors/<int:user_id>",
            responses={204: None, 401: Problem, 403: Problem, 404: Problem}, security=SECURITY)
def remove_supervisor(path: SupervisorPath):
    """End the assignment (removing it again answers 204 too); a user of another organisation 404."""
    programme = _keeper_programme(path.programme_id)
    session = http.request_session()
    with transaction(session, write_lock=True):
        supervision.unassign(session, programme, path.user_id, actor=http.require_api_actor(), now=clock.now(),
                             ip=http.client_ip())
    return "", 204
