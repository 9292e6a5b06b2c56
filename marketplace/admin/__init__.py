"""Admin pages for privacy and security: audit log, log review, erasure, second-factor reset."""
