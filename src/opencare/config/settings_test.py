"""Settings for the test suite: the main settings with a fixed secret and fast password hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from opencare.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render pages without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Background tasks run at once, inside the request that enqueues them, so tests see the finished result.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "small"]}}
# API answers are not cached between requests, except in the test that proves the cache (data changes between tests).
OPENCARE_API_CACHE_SECONDS = 0
OPENCARE_PAGE_CACHE_SECONDS = 0
# Storing releases does not remake the bulk downloads (slow), except in the tests that prove it does.
OPENCARE_BULK_REBUILD = False
# Uploaded documents go to a throwaway folder, never the developer's var/.
STORAGES["documents"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="opencare-test-documents-")},
}
