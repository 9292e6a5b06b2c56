"""WSGI entry point for gunicorn: `marketplace.operations.wsgi:app`."""

from marketplace.app import create_app
from marketplace.operations.service_lock import mark_running

app = create_app()
mark_running(app.extensions["insatstorget"].settings.instance_path)  # `restore` refuses while a worker is up
