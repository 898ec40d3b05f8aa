"""The upload form of the Data Review Tool."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    """A file or pasted JSON, and optionally the OCDS version to check against."""

    file = forms.FileField(required=False, label=_("Upload a file"), allow_empty_file=True)  # services explain why
    pasted = forms.CharField(required=False, label=_("Or paste JSON"), widget=forms.Textarea(attrs={"rows": 8}))
    version = forms.ChoiceField(
        required=False,
        label=_("OCDS version to check against"),
        choices=[
            ("", _("The version the data declares (1.0 for a package that declares none, as OCDS says)")),
            ("1.1", "1.1"),
            ("1.0", "1.0"),
        ],
    )
