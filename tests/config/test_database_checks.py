import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_django_checks_with_the_database_give_no_warnings(capsys):
    call_command("check", databases=["default"], fail_level="WARNING")
    assert "WARNING" not in capsys.readouterr().err
