"""POST /api/v1/bookings/decisions: approve or reject several requests at once (docs/api.md).

Each decision is taken by the rules of POST /bookings/{id}/approve or /reject (bookings/bulk.py);
the answer is 200 with one result per decision, failed ones carrying the problem their single
call would have answered with (404, 403, 409, 422)."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from marketplace.auth import policy
from marketplace.bookings import bulk
from marketplace.bookings.bulk_schemas import DecisionsIn, DecisionsOut
from marketplace.kernel import clock, http
from marketplace.kernel.problems import PROBLEM_TYPE_BASE, Problem

api = APIBlueprint("bookings_bulk_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="bookings")])
SECURITY = [{"bearer": []}]


def result_document(result: bulk.Result) -> dict:
    error = result.error
    return {
        "id": result.decision.booking_id, "decision": result.decision.decision, "ok": result.ok,
        "ref": result.booking.ref if result.booking is not None else None,
        "status": result.booking.status if result.booking is not None else None,
        "problem": None if error is None else {"type": PROBLEM_TYPE_BASE + error.code, "status": error.status,
                                               "detail": error.message},
    }


@api.post("/bookings/decisions", responses={200: DecisionsOut, 401: Problem, 403: Problem, 422: Problem},
          security=SECURITY)
def decide(body: DecisionsIn):
    """Approve or reject 1–100 requests (coordinators of the providing organisation), each on its own:
    some may fail with their reason while the others are decided."""
    actor = http.require_api_actor()
    if not policy.can_decide_in_bulk(actor):
        raise http.ApiError(403, "Only coordinators decide requests.")
    decisions = [bulk.Decision(item.id, item.decision, item.reason) for item in body.decisions]
    results = bulk.decide_many(http.request_session(), actor, decisions, now=clock.now,
                               hold_days=http.settings().hold_days, ip=http.client_ip())
    documents = [result_document(result) for result in results]
    return {"results": documents,
            "approved": sum(1 for r in results if r.ok and r.decision.decision == "approve"),
            "rejected": sum(1 for r in results if r.ok and r.decision.decision == "reject"),
            "failed": sum(1 for r in results if not r.ok)}
