"""Who may say what in a release: the one set of rules every publish follows, from the forms and from the API.

An organisation publishes only where it plays a part, and only its own part: the buyer the process, its awards and
the contracts it bought (never another buyer's contract in a joint process); a provider only the documents and
implementation of the contracts it supplies, naming itself and restating the buyer as recorded. Nobody names an
organisation it is not with identifiers of its own choosing: a publisher's own party carries only the identifier an
administrator confirmed for it (and identifiers already linked to it on trusted evidence), and a party that is not
the publisher's own gains no identifier from it. What a release says is checked here; it never decides who may post.
"""

from __future__ import annotations

from typing import Any

from opencare.ocds.performance import contracts_on_record
from opencare.ocds.procurement_act import notices_in
from opencare.publishing.models import Publisher
from opencare.publishing.permissions import Side
from opencare.registry.organisations import NAME_SCHEME, party_identifiers
from opencare.registry.selectors import identifier_holders, trusted_identifiers_of

#: The top-level fields a provider's release may hold: its own part of the contract, nothing of the tender or award.
SUPPLIER_RELEASE_KEYS = frozenset(
    {"ocid", "id", "date", "tag", "initiationType", "language", "parties", "buyer", "awards", "contracts"}
)
#: The fields of each contract a provider's release may hold.
SUPPLIER_CONTRACT_KEYS = frozenset({"id", "awardID", "implementation", "documents"})
#: The tags a provider's release may carry: its part is the contract's documents and how it is going.
SUPPLIER_TAGS = frozenset({"contractUpdate", "implementation", "implementationUpdate"})
#: Roles only the buying side plays; a provider may not give them to anyone.
BUYER_ROLES = frozenset({"buyer", "procuringEntity", "payer"})

Key = tuple[str, str]


def release_problem(publisher: Publisher, release: dict[str, Any], compiled: dict[str, Any], sides: set[Side]) -> str:
    """Why the organisation may not publish this release to the process ("" if it may).

    ``compiled`` is the process's compiled release as stored (empty for a new process) and ``sides`` the parts the
    organisation plays in it, both read inside the transaction that will store the release.
    """
    if compiled and not sides:
        return (
            f"{publisher.name} is neither the buyer nor a provider in this contracting process, so it cannot post "
            "releases for it."
        )
    if compiled and Side.BUYER not in sides:
        problem = _supplier_release_problem(release, publisher, compiled)
    else:
        problem = _other_buyers_contract(release, publisher, compiled)
    return problem or notice_problem(release) or identity_problem(publisher, release, compiled)


def notice_problem(release: dict[str, Any]) -> str:
    """Why the release may not claim to be a Procurement Act notice ("" if it does not claim to).

    Notices (UK1 to UK17) are published on Find a Tender and harvested or imported from it; a release posted here
    that said it was one would pass its figures off as official KPIs and ratings."""
    notices = notices_in(release)
    if not notices:
        return ""
    names = ", ".join(f"{notice.label} '{notice.notice_id}'" for notice in notices)
    return (
        f"The release's documents say it is a Procurement Act notice ({names}). Notices are published on Find a "
        "Tender, and opencare takes them from there: remove 'noticeType' (and the documentType "
        "'implementationNotice') from the documents you post here."
    )


def identity_problem(publisher: Publisher, release: dict[str, Any], compiled: dict[str, Any]) -> str:
    """Why the release's parties claim an identity they may not ("" if they do not).

    The publisher's own party (its id, or any of its identifiers) must carry the identifier confirmed for it as its
    main one, and no identifier that is not linked to it on trusted evidence. A party already in the process may be
    restated without new identifiers only; a new party may not carry identifiers of two organisations.
    """
    parties = release.get("parties")
    if not isinstance(parties, list):
        return ""  # not a list: the review refuses it
    own = (publisher.scheme.strip().upper(), publisher.identifier.strip())
    own_keys = trusted_identifiers_of(scheme=own[0], identifier=own[1]) | {own}
    recorded = {str(p.get("id")): p for p in compiled.get("parties") or [] if isinstance(p, dict)}
    for party in parties:
        if not isinstance(party, dict):
            continue
        keys = _identifier_keys(party)
        party_id = str(party.get("id"))
        main = _main_key(party)
        if party_id == publisher.party_id or own in keys:
            problem = _own_party_problem(publisher, own, own_keys, main, keys)
        elif party_id in recorded:
            problem = _restated_party_problem(publisher, party_id, keys, _identifier_keys(recorded[party_id]))
        else:
            problem = _new_party_problem(party_id, main, keys)
        if problem:
            return problem
    return ""


def _own_party_problem(publisher: Publisher, own: Key, own_keys: set[Key], main: Key | None, keys: list[Key]) -> str:
    if main is not None and main != own:
        return (
            f"The release names {publisher.name} with the identifier {_words(main)}, but the identifier confirmed "
            f"for it is {_words(own)}. Name your organisation with {_words(own)} as its identifier."
        )
    unconfirmed = [key for key in keys if key not in own_keys]
    if not unconfirmed:
        return ""
    held = identifier_holders(unconfirmed)
    whose = "belong to another organisation" if held else "are not confirmed for it"
    return (
        f"The release gives {publisher.name} the identifier(s) {', '.join(map(_words, unconfirmed))}, which {whose}. "
        "A release may not link organisations: remove them from additionalIdentifiers. If they really are your "
        "organisation's, ask the site's administrators to confirm them."
    )


def _restated_party_problem(publisher: Publisher, party_id: str, keys: list[Key], on_record: list[Key]) -> str:
    added = [key for key in keys if key not in on_record]
    if not added:
        return ""
    return (
        f"The release adds the identifier(s) {', '.join(map(_words, added))} to the party '{party_id}', which is not "
        f"its own: {publisher.name} may restate another organisation only with the identifiers it already has here."
    )


def _new_party_problem(party_id: str, main: Key | None, keys: list[Key]) -> str:
    held = identifier_holders(keys)
    others = {organisation for key, organisation in held.items() if key != main}
    if not others or others == {held.get(main)}:
        return ""
    return (
        f"The release names the party '{party_id}' with identifiers of another organisation "
        f"({', '.join(_words(key) for key in keys if key in held and key != main)}). A release may not link "
        "organisations: give each party only its own identifier."
    )


def _identifier_keys(party: dict[str, Any]) -> list[Key]:
    return [key for key in party_identifiers(party) if key[0] != NAME_SCHEME]


def _main_key(party: dict[str, Any]) -> Key | None:
    keys = party_identifiers({"identifier": party.get("identifier")})
    return keys[0] if keys and keys[0][0] != NAME_SCHEME else None


def _words(key: Key) -> str:
    return f"{key[0]} {key[1]}"


def _texts(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _supplier_release_problem(release: dict[str, Any], publisher: Publisher, compiled: dict[str, Any]) -> str:
    """Why a provider may not post this release ("" if it may): only its own part of its own contracts."""
    extra = sorted(set(release) - SUPPLIER_RELEASE_KEYS)
    if extra:
        return (
            f"{publisher.name} is a provider in this contracting process, so its releases may not hold "
            f"{', '.join(extra)}: only the buyer publishes those. A provider's release may hold only "
            f"{', '.join(sorted(SUPPLIER_RELEASE_KEYS))}."
        )
    tags = release.get("tag")
    if isinstance(tags, list) and (wrong := sorted({str(tag) for tag in tags} - SUPPLIER_TAGS)):
        return (
            f"A provider's release may be tagged only {', '.join(sorted(SUPPLIER_TAGS))}; this one is tagged "
            f"{', '.join(wrong)}, which only the buyer publishes."
        )
    supplied = {c.contract_id: c for c in contracts_on_record(compiled) if publisher.party_id in c.supplier_ids}
    contracts = release.get("contracts", [])
    if not isinstance(contracts, list) or not all(isinstance(c, dict) for c in contracts):
        return "contracts must be a list of objects."
    for contract in contracts:
        extra = sorted(set(contract) - SUPPLIER_CONTRACT_KEYS)
        if extra:
            return (
                f"A provider's release may give a contract only {', '.join(sorted(SUPPLIER_CONTRACT_KEYS))}; "
                f"it gives {', '.join(extra)}, which only the buyer publishes."
            )
        on_record = supplied.get(str(contract.get("id")))
        if on_record is None:
            return f"{publisher.name} is not the provider of a contract with the id '{contract.get('id')}' here."
        if "awardID" in contract and str(contract["awardID"]) != on_record.award_id:
            return f"The contract '{on_record.contract_id}' belongs to the award '{on_record.award_id}'."
    awards = release.get("awards", [])
    award_ids = {contract.award_id for contract in supplied.values()}
    if not isinstance(awards, list) or any(not isinstance(a, dict) or set(a) != {"id"} for a in awards):
        return 'A provider\'s release may list awards only by their id, like {"id": "award-1"}.'
    if any(str(award["id"]) not in award_ids for award in awards):
        return f"{publisher.name} may refer only to the awards of its own contracts ({', '.join(sorted(award_ids))})."
    return _supplier_parties_problem(release, publisher, compiled)


def _supplier_parties_problem(release: dict[str, Any], publisher: Publisher, compiled: dict[str, Any]) -> str:
    # Parties merge by id into the record, so a provider restating the buyer could otherwise rewrite its details.
    buyer_ref = compiled.get("buyer") if isinstance(compiled.get("buyer"), dict) else {}
    if "buyer" in release and (
        not isinstance(release["buyer"], dict) or any(buyer_ref.get(k) != v for k, v in release["buyer"].items())
    ):
        return "A provider's release may name the buyer only as the process already names it."
    on_record = {str(p.get("id")): p for p in compiled.get("parties") or [] if isinstance(p, dict)}
    parties = release.get("parties", [])
    if not isinstance(parties, list) or not all(isinstance(p, dict) for p in parties):
        return "parties must be a list of objects."
    for party in parties:
        party_id = str(party.get("id"))
        roles = party.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            return 'A party\'s roles must be a list of role codes, like ["supplier"].'
        if party_id == publisher.party_id:
            if BUYER_ROLES & set(roles):
                return f"A provider may not give itself the roles {', '.join(sorted(BUYER_ROLES & set(roles)))}."
            continue
        if party_id == str(buyer_ref.get("id")) and party_id in on_record:
            recorded = on_record[party_id]
            changed = [k for k, v in party.items() if k != "roles" and not _restates(v, recorded.get(k))]
            if changed or not set(roles) <= set(_texts(recorded.get("roles"))):
                return (
                    "A provider's release may restate the buyer's party only as the process already has it; "
                    f"it changes {', '.join(changed) or 'roles'}."
                )
            continue
        return (
            f"A provider's release may describe only {publisher.name} ('{publisher.party_id}') and the buyer; "
            f"it describes '{party_id}'."
        )
    return ""


def _restates(given: Any, recorded: Any) -> bool:
    """Whether a value given for a party says nothing the record does not: equal, or (objects) each field given
    restates the recorded one (the forms restate the buyer with the fields they know, the API may give all)."""
    if isinstance(given, dict) and isinstance(recorded, dict):
        return all(_restates(value, recorded.get(key)) for key, value in given.items())
    return given == recorded


def _other_buyers_contract(release: dict[str, Any], publisher: Publisher, compiled: dict[str, Any]) -> str:
    """In a process bought jointly, a buyer may not change a contract another buyer bought ("" if none is touched)."""
    bought_by = {contract.contract_id: contract.buyer_ids for contract in contracts_on_record(compiled)}
    contracts = release.get("contracts")
    for contract in contracts if isinstance(contracts, list) else []:  # not a list: the review refuses it
        contract_id = str(contract.get("id")) if isinstance(contract, dict) else ""
        if contract_id in bought_by and publisher.party_id not in bought_by[contract_id]:
            return (f"Contract '{contract_id}' was bought by another organisation in this joint process, so "
                    f"{publisher.name} cannot change it.")  # fmt: skip
    return ""
