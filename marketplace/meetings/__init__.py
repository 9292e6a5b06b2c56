"""Meetings around a placement (start, follow-up, end) with calendar invitations, and the
summary (avslutsrapport) the provider writes when the placement has ended.

Both carry participant data: only those who may see the booking's participant see them
(auth/policy.py, can_see_participant), every read is audited, and retention erases their
free text with the booking's participant data (erase_for_booking)."""
