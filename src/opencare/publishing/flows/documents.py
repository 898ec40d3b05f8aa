"""The documents a flow's form takes in its slots: uploaded (pointing at the site's copy) or linked."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.urls import reverse

from opencare.ocds import release_builder as rb
from opencare.publishing import forms
from opencare.publishing.flows.context import FlowContext, today_iso
from opencare.publishing.models import StoredDocument


def document_url(document: StoredDocument) -> str:
    """The public address of an uploaded document."""
    path = reverse("publishing:document", args=[document.key, document.filename])
    return settings.OPENCARE_SITE_URL.rstrip("/") + path


def slot_documents(ctx: FlowContext, cleaned: dict[str, Any], slots: tuple[forms.DocumentSlot, ...]) -> list:
    """The documents given in a form's slots, as builder Documents (uploads point at the site's copy)."""
    documents = []
    today = today_iso()
    for slot in slots:
        key, url = cleaned.get(f"{slot.name}_document") or "", cleaned.get(f"{slot.name}_url") or ""
        page_start, page_end = cleaned.get(f"{slot.name}_pages") or ("", "")
        content_type = ""
        if key:
            stored = StoredDocument.objects.filter(key=key, publisher=ctx.publisher).first()
            if stored is None:
                continue
            url, content_type = document_url(stored), stored.content_type
        if not url:
            continue
        documents.append(
            rb.Document(
                id=f"{slot.name}-{hashlib.sha256(url.encode()).hexdigest()[:10]}",
                document_type=slot.document_type,
                title=slot.label,
                url=url,
                date_published=today,
                format=content_type,
                page_start=page_start,
                page_end=page_end,
                author=ctx.publisher.name,
            )
        )
    return documents


def slot_summary(cleaned: dict[str, Any], slots: tuple[forms.DocumentSlot, ...]) -> list[tuple[str, str]]:
    """How each document slot was answered, for the check-your-answers page."""
    rows = []
    for slot in slots:
        pages = cleaned.get(f"{slot.name}_pages") or ("", "")
        where = "Uploaded" if cleaned.get(f"{slot.name}_document") else (cleaned.get(f"{slot.name}_url") or "None")
        rows.append((slot.label, where + (f", pages {pages[0]} to {pages[1]}" if pages[0] else "")))
    return rows
