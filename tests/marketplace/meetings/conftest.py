"""Fixtures of the meeting tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_user(api):
    """api(user) with one token per user per test (signing in hashes a password: slow)."""
    callers = {}

    def caller(user):
        if user.id not in callers:
            callers[user.id] = api(user)
        return callers[user.id]

    return caller
