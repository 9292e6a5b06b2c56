"""Load-test data beside the demo: the demo's accounts and programmes, then generated
municipalities, programmes and bookings (never overbooked) up to the sizes asked for.

    python -m benchmarks.seed --programmes 100000 --bookings 1000000 [--organisations 290]

The database is the service's own (INSATSTORGET_DATABASE_URL, as for `insatstorget`). A second
run adds only what is missing. Lives with the benchmarks, not in the service's packages.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import OperationalError

from benchmarks.loadgen import generate
from marketplace.kernel import clock
from marketplace.kernel.config import ConfigurationError, Settings
from marketplace.kernel.db import make_engine
from marketplace.operations.demo import seed_demo
from marketplace.operations.schema import init_db


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--programmes", type=int, required=True, help="programmes in all (generated ones added)")
    parser.add_argument("--bookings", type=int, default=0, help="bookings over 24 months, never overbooked")
    parser.add_argument("--organisations", type=int, default=None,
                        help="add synthetic municipalities up to this many organisations")
    arguments = parser.parse_args(argv)
    for name in ("programmes", "bookings", "organisations"):
        value = getattr(arguments, name)
        if value is not None and value < (1 if name == "organisations" else 0):
            parser.error(f"--{name} must be {'at least 1' if name == 'organisations' else 'zero or more'}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    try:
        settings = Settings()
    except ConfigurationError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    if settings.is_production:
        print("Error: load-test data is refused when INSATSTORGET_ENV=production.", file=sys.stderr)
        return 1
    engine = make_engine(settings.resolved_database_url())
    try:
        init_db(engine)
        for line in seed_demo(engine, today=clock.today(), now=clock.now()):
            print(line)
        report = generate(engine, programmes=arguments.programmes, bookings=arguments.bookings,
                          organisations=arguments.organisations, today=clock.today(), now=clock.now())
    except OperationalError as error:
        print(f"Error: the database cannot be reached ({error.orig}).", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
