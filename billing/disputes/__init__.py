"""Disputes of billing lines: the buyer contests what a booking cost in a month, the provider
accepts (with or without a credit) or rejects, and an accepted credit becomes one credit line
in the next month that is closed."""
