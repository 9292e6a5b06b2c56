"""What every feature stands on: database and transactions, clock, configuration, HTTP glue,
problems and errors, paging, the SQLite write gate, timing, and the job-run tables."""
