"""The upload form of the Data Review Tool."""

from __future__ import annotations

from django import forms


class UploadForm(forms.Form):
    """A file or pasted JSON, and optionally the OCDS version to check against."""

    file = forms.FileField(required=False, label="Upload a file", allow_empty_file=True)  # services explain why
    pasted = forms.CharField(required=False, label="Or paste JSON", widget=forms.Textarea(attrs={"rows": 8}))
    version = forms.ChoiceField(
        required=False,
        label="OCDS version to check against",
        choices=[
            ("", "The version the data declares (1.0 for a package that declares none, as OCDS says)"),
            ("1.1", "1.1"),
            ("1.0", "1.0"),
        ],
    )
