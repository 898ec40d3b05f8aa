"""On PostgreSQL, the large JSON columns (releases, compiled releases) are compressed with lz4 instead of pglz.

pglz is the slower of PostgreSQL's two compressors by several times: storing a 5 KB release spent more time
compressing it than parsing it. Only rows written from now on are compressed with lz4; both kinds read the same.
A server built without lz4 keeps pglz (the statement is tried in a savepoint and its refusal ignored).
"""

from django.db import migrations

COLUMNS = [("registry_release", "data"), ("registry_process", "compiled_release")]


def use_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone() is None:
            return  # built without lz4
        for table, column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION lz4')


def use_pglz(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION pglz')


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_registry_version"),
    ]

    operations = [migrations.RunPython(use_lz4, use_pglz)]
