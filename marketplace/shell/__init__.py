"""The frame every page sits in: the start page and the main menu."""
