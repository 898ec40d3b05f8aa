"""Which tables a backup holds and in what order, which it leaves out and why, the migration state a backup belongs
to, and what counts as an empty database to restore into."""

from __future__ import annotations

from django.apps import apps
from django.db import connections, models
from django.db.migrations.recorder import MigrationRecorder

#: Tables a backup leaves out, and why (docs/backups.md says the same).
LEFT_OUT = {
    "sessions.session": (
        "Signed-in sessions: each key is a password-equivalent, they last a working day, and people sign in again."
    ),
    "reviews.reviewrequest": (
        "Data Review Tool uploads: anonymous checks kept 7 days at most, their files outside the document storage "
        "(up to 200 MB each); the person uploads again."
    ),
    "reviews.reviewsubmission": (
        "Hashed addresses of recent Data Review Tool requests, kept an hour for the per-address limit."
    ),
    "django_tasks_database.dbtaskresult": (
        "The queue of background tasks: reviews' checks and conversions, and rebuilds of the bulk downloads."
    ),
    "registry.bulkrebuild": (
        "Whether the bulk downloads are due to be remade: restoring remakes them, and they are not in the backup."
    ),
}
#: Tables `migrate` fills in a new database: content types, permissions and (a data migration) the site role groups.
#: Restoring replaces their rows with the backup's, primary keys and all, so references to them stay right.
FILLED_BY_MIGRATE = ("auth.group_permissions", "auth.permission", "auth.group", "contenttypes.contenttype")


def label(model: type[models.Model]) -> str:
    """A model's label in the manifest: app label and model name, lower case (``registry.release``)."""
    return model._meta.label_lower


def table_models() -> list[type[models.Model]]:
    """Every model with a table of its own, many-to-many link tables included, each after the tables it refers to
    (otherwise in the order of INSTALLED_APPS)."""
    every = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    refers_to = {
        model: {
            field.related_model._meta.concrete_model
            for field in model._meta.local_concrete_fields
            if field.is_relation and field.related_model is not None
        }
        & set(every) - {model}
        for model in every
    }
    ordered: list[type[models.Model]] = []
    waiting = list(every)
    while waiting:
        # A cycle of references would leave every waiting model unready: take them as they come. Foreign keys are
        # checked at commit on SQLite and PostgreSQL alike (Django makes them deferrable), so any order loads; this
        # one makes a failure's message name the table that is wrong.
        ready = next((model for model in waiting if refers_to[model] <= set(ordered)), waiting[0])
        ordered.append(ready)
        waiting.remove(ready)
    return ordered


def backed_up_models() -> list[type[models.Model]]:
    """The models whose rows a backup holds, in load order."""
    return [model for model in table_models() if label(model) not in LEFT_OUT]


def migration_state(using: str) -> list[str]:
    """The migrations applied to the database, as ``app.name``, sorted."""
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def tables_with_rows(using: str) -> list[str]:
    """The tables that hold data: any with rows except those `migrate` fills by itself."""
    return [
        label(model)
        for model in table_models()
        if label(model) not in FILLED_BY_MIGRATE and model._base_manager.using(using).exists()
    ]
