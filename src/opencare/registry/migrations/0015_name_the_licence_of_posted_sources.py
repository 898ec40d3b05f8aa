"""Sources of releases posted by providers through opencare were created with the licence's address but no name
(the pages and /downloads/ then showed a bare address beside the named one). Name it where the address is the Open
Government Licence's, the licence they were published under."""

from django.db import migrations

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def name_the_licence(apps, schema_editor):
    Source = apps.get_model("registry", "Source")
    Source.objects.filter(key__startswith="opencare:publisher:", licence_name="", licence_url=OGL_URL).update(
        licence_name="Open Government Licence v3.0"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0014_organisation_link_evidence"),
    ]

    operations = [migrations.RunPython(name_the_licence, migrations.RunPython.noop)]
