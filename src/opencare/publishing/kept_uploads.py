"""Documents uploaded on a form that had errors elsewhere: kept, bound to the account that uploaded them.

A browser cannot send a chosen file again, so a file that passed its own checks (type and size, as every upload) is
stored at once and its key remembered in the uploader's session, for that organisation, form and process. The
form shows it ("You uploaded spec.pdf (240 KB). It will be kept.") and the next valid submit uses it. A form's
hidden document keys are honoured only if this session kept them or the organisation's saved draft holds them, so
another account can neither use nor see a kept file by posting its key.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext

from opencare.publishing.models import Publisher, StoredDocument

SESSION_KEY = "publishing_kept_uploads"


def scope_of(publisher: Publisher, action: str, ocid: str, contract_id: str = "") -> str:
    """Where uploads are kept: one organisation's one form for one process (and contract)."""
    return f"{publisher.pk}:{action}:{ocid}:{contract_id}"


def kept(session: SessionBase, scope: str) -> dict[str, str]:
    """The documents this session kept for a form, by slot name: {slot: key}."""
    return dict((session.get(SESSION_KEY) or {}).get(scope) or {})


def keep(session: SessionBase, scope: str, slot: str, key: str) -> None:
    """Remember in this session that a slot's file was uploaded and stored with this key."""
    everything = dict(session.get(SESSION_KEY) or {})
    everything[scope] = kept(session, scope) | {slot: key}
    session[SESSION_KEY] = everything


def forget(session: SessionBase, scope: str) -> None:
    """Forget a form's kept uploads (its answers are saved in the draft now, with the keys)."""
    everything = dict(session.get(SESSION_KEY) or {})
    if everything.pop(scope, None) is not None:
        session[SESSION_KEY] = everything


def own_keys_only(data: Any, slots: list[str], allowed: dict[str, str], draft: dict[str, Any]) -> Any:
    """The posted data with each slot's document key blanked unless this session kept it or the saved draft holds
    it: a key posted by hand (another account's upload) is never used."""
    data = data.copy()
    for slot in slots:
        name = f"{slot}_document"
        given = data.get(name, "")
        if given and given not in (allowed.get(slot), draft.get(name)):
            data[name] = ""
    return data


def kept_documents(publisher: Publisher, keys: dict[str, str]) -> dict[str, StoredDocument]:
    """The stored documents of these slot keys, the organisation's own only: {slot: document}."""
    wanted = {key for key in keys.values() if key}
    documents = {str(d.key): d for d in StoredDocument.objects.filter(publisher=publisher, key__in=wanted)}
    return {slot: documents[key] for slot, key in keys.items() if key in documents}


def size_in_words(size: int) -> str:
    """A file's size as people read it: 240 KB, 1.5 MB."""
    if size < 1024 * 1024:
        return gettext("%(size)s KB") % {"size": max(1, round(size / 1024))}
    return gettext("%(size)s MB") % {"size": f"{size / (1024 * 1024):.1f}"}
