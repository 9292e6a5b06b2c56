"""Schemathesis against the OpenAPI document: every operation, no 5xx, responses match the schema.

Bounded for the suite (INSATSTORGET_FUZZ_EXAMPLES per operation, default 20). The longer
release run: INSATSTORGET_FUZZ_EXAMPLES=500 pytest tests/marketplace/security/test_api_fuzz.py
(on both databases; about 10–20 minutes each on a laptop).
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import make_programme

FUZZ_EXAMPLES = int(os.environ.get("INSATSTORGET_FUZZ_EXAMPLES", "20"))
# The suite's short run is reproducible (the same cases every time, so CI is never flaky);
# the release run (INSATSTORGET_FUZZ_EXAMPLES set) explores new cases each time.
DERANDOMIZE = "INSATSTORGET_FUZZ_EXAMPLES" not in os.environ


def _fuzz(operation, token: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    def run(case):
        case.call_and_validate(headers={"Authorization": token}, checks=[not_a_server_error, response_schema_conformance])

    run()


def test_no_operation_answers_5xx_or_breaks_its_schema(app, db, api, staff_user, coordinator):
    make_programme(db)  # something for the read endpoints to find
    token = api(staff_user).headers["Authorization"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, token)
        except BaseException as error:  # noqa: B036 (hypothesis raises groups) collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
