"""The Django project: settings, URL map and WSGI entry point."""
