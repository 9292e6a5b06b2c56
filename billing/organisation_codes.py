"""Admin edits an organisation's cost centre (its responsibility code, ansvar), cost account,
revenue account and default activity code (verksamhetskod) (audited).

Lines copy the codes in force when their month is closed, so an edit never changes a
closed month; it shows in the next close (billing.dimensions freezes the activity codes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from billing import accounting_codes
from catalog.models import Organisation
from marketplace import audit
from marketplace.auth.policy import Actor
from marketplace.kernel.errors import Invalid


def update_accounting_codes(session: Session, organisation: Organisation, *, cost_centre: str, cost_account: str,
                            revenue_account: str, default_activity_code: str | None = None, actor: Actor,
                            now: datetime, ip: str | None = None) -> Organisation:
    """Validate and store the codes (the default activity code only when given); Invalid (422)
    lists every bad field."""
    values = {"cost_centre": (cost_centre or "").strip(), "cost_account": (cost_account or "").strip(),
              "revenue_account": (revenue_account or "").strip()}
    if default_activity_code is not None:
        values["default_activity_code"] = default_activity_code.strip()
    errors = []
    if problem := accounting_codes.cost_centre_error(values["cost_centre"]):
        errors.append(("cost_centre", problem))
    for name in ("cost_account", "revenue_account"):
        if problem := accounting_codes.account_error(values[name]):
            errors.append((name, problem))
    if "default_activity_code" in values and (problem := accounting_codes.activity_code_error(values["default_activity_code"])):
        errors.append(("default_activity_code", problem))
    if errors:
        raise Invalid("Invalid accounting codes.", errors=errors, code="bad_accounting_codes")
    before = {name: getattr(organisation, name) for name in values}
    if before == values:
        return organisation
    for name, value in values.items():
        setattr(organisation, name, value)
    audit.record(session, actor=actor, action="organisation.update_accounts", object_type="organisation",
                 object_id=organisation.code, now=now, ip=ip, details={"before": before, "after": values})
    session.flush()
    return organisation
