"""Statistics: placements, occupancy, waitlist, outcomes and money, with small groups suppressed."""
