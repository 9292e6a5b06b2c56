"""Accounts, sign-in, API tokens and the one permission policy."""
