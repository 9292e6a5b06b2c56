"""Catalogue search over the API at a given catalogue size, beside trivial endpoints in the same run.

Kinds of query (all on GET /api/v1/programmes, page 1, 20 per page):
- selective: a word + a category + a four-week availability range (what staff type);
- text: a word only;
- filters: target group + accessible + max price + availability;
- worst: availability only, no word and no category: every published programme is a
  candidate, so this is the slowest query a user can send;
- start_selective: a word + a category + start_by (the next free date on or before a day
  1–12 weeks ahead: "when can my client start");
- start_by: start_by only: every published programme is a candidate, as in worst.
Every kind answers with each result's next_free_date (one more query per page).
Trivial endpoints: /healthz (SELECT 1, no sign-in) and /api/v1/me (bearer token lookup).
Requests of every kind are interleaved, so all share the same machine state.
"""

from __future__ import annotations

import itertools
import urllib.parse
from datetime import date, timedelta

from benchmarks.harness import Server, api_token, run_load, summarise

WORDS = [("cykel", "bicycle"), ("snickeri", "carpentry"), ("café", "bakery_cafe"), ("städ", "cleaning"),
         ("textil", "textile"), ("återbruk", "recycling"), ("svets", "welding"), ("park", "outdoor_park"),
         ("bok", "book_care"), ("kontor", "it_office"), ("flytt", "moving"), ("malning", "painting")]
GROUPS = ["young_adults", "newly_arrived", "mental_illness", "long_term_unemployed", "substance_use"]


def _ranges(today: date) -> list[tuple[str, str]]:
    monday = today + timedelta(days=7 - today.weekday())
    return [((monday + timedelta(weeks=k)).isoformat(), (monday + timedelta(weeks=k + 4) - timedelta(days=1)).isoformat())
            for k in range(0, 12)]


def queries(today: date) -> dict[str, list[str]]:
    ranges = _ranges(today)
    selective, text_only, filters, worst, start_selective, start_by = [], [], [], [], [], []
    for (word, category), (start, end) in zip(itertools.cycle(WORDS), ranges * 2):
        selective.append("/api/v1/programmes?" + urllib.parse.urlencode(
            {"q": word, "category": category, "available_from": start, "available_to": end}))
        text_only.append("/api/v1/programmes?" + urllib.parse.urlencode({"q": word}))
    for group, (start, end) in zip(itertools.cycle(GROUPS), ranges):
        filters.append("/api/v1/programmes?" + urllib.parse.urlencode(
            {"target_group": group, "accessible": "true", "max_price": "9000", "available_from": start, "available_to": end}))
    for start, end in ranges:
        worst.append("/api/v1/programmes?" + urllib.parse.urlencode({"available_from": start, "available_to": end}))
    for (word, category), (start, _end) in zip(itertools.cycle(WORDS), ranges * 2):
        start_selective.append("/api/v1/programmes?" + urllib.parse.urlencode(
            {"q": word, "category": category, "start_by": start}))
    for start, _end in ranges:
        start_by.append("/api/v1/programmes?" + urllib.parse.urlencode({"start_by": start}))
    return {"selective": selective, "text": text_only, "filters": filters, "worst": worst,
            "start_selective": start_selective, "start_by": start_by}


def run(database_url: str, instance, *, today: date, workers: int = 2, clients: int = 2, per_kind: int = 200,
        email: str = "staff.rk@loadgen.invalid", password: str = "demo-losen-2026") -> dict:
    """Measure every kind of query and the trivial endpoints; returns {kind: summary}."""
    with Server(database_url, instance, workers=workers) as server:
        token = api_token(server.port, email, password)
        auth = {"Authorization": f"Bearer {token}"}
        kinds = queries(today)
        plan = [("healthz", "/healthz", {}), ("me", "/api/v1/me", auth)]
        plan += [(kind, path, auth) for kind, paths in kinds.items() for path in paths]
        by_kind: dict[str, list] = {}
        for label, path, headers in plan:
            by_kind.setdefault(label, []).append((path, headers))
        labels = list(by_kind)
        total = per_kind * len(labels)

        def factory(index: int, number: int):
            sequence = index + number * clients
            label = labels[sequence % len(labels)]
            choices = by_kind[label]
            path, headers = choices[(sequence // len(labels)) % len(choices)]
            return label, "GET", path, None, headers

        # Warm-up: fill caches and the planner's statistics as a running service would have.
        run_load(server.port, factory, clients=clients, requests_per_client=len(labels) * 3)
        load = run_load(server.port, factory, clients=clients, requests_per_client=total // clients)
        result = {label: summarise([s for s in load.samples if s.label == label]) for label in labels}
        result["_errors"] = load.errors[:10]
        # Answers of the measured kinds, for the record: how many programmes each matched.
        result["_totals"] = _totals(server.port, kinds, auth)
    return result


def _totals(port: int, kinds: dict[str, list[str]], headers: dict) -> dict[str, int | None]:
    import json

    from benchmarks.harness import request

    totals = {}
    for kind, paths in kinds.items():
        status, _, body = request("127.0.0.1", port, "GET", paths[0], headers=headers)
        totals[kind] = json.loads(body).get("total") if status == 200 else None
    return totals
