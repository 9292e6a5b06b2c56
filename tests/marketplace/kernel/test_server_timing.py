"""Every response says how long the server worked on it (Server-Timing), for benchmarks."""

import re


def test_every_response_carries_its_server_time(client):
    for path in ("/healthz", "/logga-in", "/api/v1/no-such-thing"):
        header = client.get(path).headers.get("Server-Timing", "")
        assert re.fullmatch(r"app;dur=\d+\.\d\d", header), (path, header)
