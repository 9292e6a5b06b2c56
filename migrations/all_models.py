"""All tables, including billing's (migrations sit above the dependency arrows)."""

from marketplace.operations.schema import metadata  # noqa: F401

for _module in ("billing.models", "billing.disputes.models", "billing.dimensions", "marketplace.followups.models"):
    try:
        __import__(_module)
    except ModuleNotFoundError as error:  # a package not written yet
        if error.name is None or not _module.startswith(error.name):
            raise
