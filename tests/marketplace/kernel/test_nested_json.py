"""JSON nested thousands of levels deep is a 400 problem+json on every API endpoint that reads a body."""

import re

import pytest

DEPTHS = [3_000, 100_000]


def _write_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted((rule.methods or set()) & {"POST", "PATCH"}):
                yield method, re.sub(r"<[^>]+>", "1", rule.rule)


@pytest.mark.parametrize("depth", DEPTHS)
def test_deeply_nested_json_is_a_400_problem_everywhere(app, api, admin_user, staff_user, depth):
    routes = list(_write_routes(app))
    assert any(path == "/api/v1/bookings" for _, path in routes)
    bodies = ["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth]
    for user in (staff_user, admin_user, None):
        caller = api(user) if user else api()
        for method, path in routes:
            for body in bodies:
                response = getattr(caller, method.lower())(path, data=body, headers={"Content-Type": "application/json"})
                assert response.status_code < 500, (method, path, response.get_data()[:200])
                assert response.mimetype == "application/problem+json", (method, path)


def test_the_booking_endpoint_names_the_body_malformed(api, staff_user):
    response = api(staff_user).post("/api/v1/bookings", data="[" * 5000 + "]" * 5000,
                                    headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["type"].endswith("/malformed-json")
