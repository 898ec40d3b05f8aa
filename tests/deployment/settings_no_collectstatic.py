"""The production settings module as it is, except that static files are served from the source folders (no
`collectstatic`, which takes a quarter of a minute): the deployment tests start real servers with these."""

from opencare.config.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
