"""Telling people things: start-page notes and the mail outbox they may carry."""
