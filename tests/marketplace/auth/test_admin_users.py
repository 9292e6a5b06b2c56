"""Admin's user pages: list, create, deactivate (which ends the person's sessions)."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.auth.models import User
from tests.factories import DEFAULT_PASSWORD


def test_admin_lists_users_with_their_organisation_and_roles(client, login, admin_user, staff_user):
    login(admin_user)
    page = client.get("/admin/anvandare").get_data(as_text=True)
    assert staff_user.email in page and "Handläggare" in page and "RK" in page


def test_admin_creates_a_user_who_can_then_sign_in(client, login, admin_user, db, app):
    login(admin_user)
    response = client.post("/admin/anvandare/ny", data={
        "name": "Nora Nyström", "email": "nora@test.se", "organisation": "SO",
        "roles": ["staff", "coordinator"], "password": "ett-langt-losenord",
    })
    assert response.status_code == 302
    user = db.execute(select(User).where(User.email == "nora@test.se")).scalar_one()
    assert user.role_set == {"staff", "coordinator"}
    other = app.test_client()
    assert other.post("/logga-in", data={"email": "nora@test.se", "password": "ett-langt-losenord"}).status_code == 302


def test_creating_a_user_with_bad_input_shows_swedish_errors_and_stores_nothing(client, login, admin_user, db):
    login(admin_user)
    response = client.post("/admin/anvandare/ny", data={
        "name": "", "email": "inte-en-adress", "organisation": "SO", "roles": [], "password": "kort",
    })
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ange namn." in page and "Ogiltig e-postadress." in page and "Välj minst en roll." in page
    assert db.execute(select(User).where(User.email == "inte-en-adress")).first() is None


def test_a_too_short_password_is_refused_with_the_reason(client, login, admin_user, db):
    login(admin_user)
    response = client.post("/admin/anvandare/ny", data={
        "name": "Kort Lösen", "email": "kort@test.se", "organisation": "SO", "roles": ["staff"], "password": "kort",
    })
    assert response.status_code == 422
    assert "minst 10 tecken" in response.get_data(as_text=True)


def test_deactivating_a_user_ends_their_session_at_once(client, login, admin_user, staff_user, app):
    staff_client = login(staff_user, target=app.test_client())
    assert staff_client.get("/").status_code == 200
    login(admin_user)
    assert client.post(f"/admin/anvandare/{staff_user.id}/inaktivera").status_code == 302
    assert staff_client.get("/").status_code == 302
    assert app.test_client().post("/logga-in", data={"email": staff_user.email, "password": DEFAULT_PASSWORD}).status_code == 401


def test_only_admin_may_use_the_user_pages(client, login, staff_user):
    login(staff_user)
    assert client.get("/admin/anvandare").status_code == 403
    assert client.post("/admin/anvandare/ny", data={}).status_code == 403


def test_changing_the_password_needs_the_current_one(client, login, staff_user, app):
    login(staff_user)
    wrong = client.post("/konto/losenord", data={"current_password": "fel", "new_password": "nytt-langt-losenord"})
    assert wrong.status_code == 422 and "Nuvarande lösenord stämmer inte." in wrong.get_data(as_text=True)
    right = client.post("/konto/losenord", data={"current_password": DEFAULT_PASSWORD, "new_password": "nytt-langt-losenord"})
    assert right.status_code == 302
    assert app.test_client().post("/logga-in", data={"email": staff_user.email, "password": "nytt-langt-losenord"}).status_code == 302
