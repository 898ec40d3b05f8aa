"""opencare's settings in a fresh Python process, with the environment a test chooses: settings are read once, at
start-up, so a test of what an environment variable does must start a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Variables of the test run's own environment that would change what the settings under test say.
SETTINGS_VARIABLES = frozenset({
    "SECRET_KEY", "DJANGO_ENV", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "OPENCARE_DEMO_ACCOUNTS",
    "DATABASE_URL", "DATABASE_REPLICA_URLS",
})  # fmt: skip
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "the-deployers-own-secret-" + "s" * 50,
    "ALLOWED_HOSTS": "opencare.example.org",
}


def environment(**env: str) -> dict[str, str]:
    """This process's environment without the settings variables, with opencare's settings and ``env``."""
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    return {**clean, "DJANGO_SETTINGS_MODULE": "opencare.config.settings", **env}


def run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m django ARGS`` under that environment."""
    return subprocess.run([sys.executable, "-m", "django", *args], env=environment(**env), capture_output=True,
                          text=True, cwd=ROOT, check=False)  # fmt: skip


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Python ``code`` after ``django.setup()`` under that environment."""
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], env=environment(**env),
                          capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip


def run_in_production(code: str, **env: str) -> subprocess.CompletedProcess:
    """Python ``code`` with the production settings (and ``env``)."""
    return run_python(code, **{**PRODUCTION, **env})
