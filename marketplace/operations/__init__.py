"""Running the service: serving it (gunicorn), backup and restore, the demo data."""
