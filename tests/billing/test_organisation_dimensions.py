"""An organisation's responsibility code (ansvar, the cost centre) and default activity code:
reference data and the admin page with validation."""

from __future__ import annotations

from sqlalchemy import select

from catalog.models import Organisation
from catalog.reference_data import load_reference_data, read_rows
from marketplace.audit.models import AuditLog


def _org(db, code: str) -> Organisation:
    db.rollback()
    db.expire_all()  # a fresh snapshot, read again
    return db.execute(select(Organisation).where(Organisation.code == code)).scalar_one()


def test_every_organisation_in_the_reference_data_has_valid_codes(db):
    from billing.accounting_codes import activity_code_error, cost_centre_error

    rows = read_rows("organisations.csv")
    assert rows and all(activity_code_error(row["default_activity_code"]) is None for row in rows)
    assert all(cost_centre_error(row["cost_centre"]) is None for row in rows)
    assert _org(db, "AMF").default_activity_code == "5700" and _org(db, "RK").default_activity_code == "5730"


def test_reference_data_fills_a_blank_default_and_never_overwrites_an_edited_one(db):
    rk, hv = _org(db, "RK"), _org(db, "HV")
    rk.default_activity_code, hv.default_activity_code = "", "9999"
    db.commit()
    load_reference_data(db)
    db.commit()
    assert (_org(db, "RK").default_activity_code, _org(db, "HV").default_activity_code) == ("5730", "9999")


def test_admin_sets_the_default_activity_code_and_bad_codes_get_swedish_errors(db, client, login, admin_user):
    login(admin_user)
    listing = client.get("/admin/organisationer").get_data(as_text=True)
    assert "Verksamhetskod" in listing and "5730" in listing
    form = client.get("/admin/organisationer/RK").get_data(as_text=True)
    assert 'name="default_activity_code"' in form and 'value="5730"' in form and "Ansvar (kostnadsställe)" in form
    base = {"cost_centre": "1100", "cost_account": "7691", "revenue_account": "3691"}
    for bad, message in (("57", "Verksamhetskoden är 3–10 siffror"), ("57A0", "Verksamhetskoden är 3–10 siffror"),
                         ("12345678901", "Verksamhetskoden är 3–10 siffror"), ("", "Ange verksamhetskod")):
        response = client.post("/admin/organisationer/RK", data={**base, "default_activity_code": bad})
        assert response.status_code == 422 and message in response.get_data(as_text=True), bad
    assert _org(db, "RK").default_activity_code == "5730"
    ok = client.post("/admin/organisationer/RK", data={**base, "default_activity_code": "5731"})
    assert ok.status_code == 302
    assert _org(db, "RK").default_activity_code == "5731"
    audit = db.execute(select(AuditLog).where(AuditLog.action == "organisation.update_accounts")).scalar_one()
    assert audit.details["before"]["default_activity_code"] == "5730"
    assert audit.details["after"]["default_activity_code"] == "5731"


def test_the_domain_refuses_a_bad_default_without_a_form(db, admin_user):
    import pytest

    from billing.organisation_codes import update_accounting_codes
    from marketplace.auth.policy import Actor
    from marketplace.kernel.errors import Invalid

    actor = Actor(admin_user.id, admin_user.name, admin_user.email, admin_user.organisation_id, "AMF",
                  frozenset({"admin"}), "Arbetsmarknadsförvaltningen")
    with pytest.raises(Invalid) as refused:
        update_accounting_codes(db, _org(db, "RK"), cost_centre="1100", cost_account="7691", revenue_account="3691",
                                default_activity_code="=1+2", actor=actor, now=None)
    assert [field for field, _ in refused.value.errors] == ["default_activity_code"]
