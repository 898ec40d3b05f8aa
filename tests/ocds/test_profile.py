import json
import shutil
import socket
from pathlib import Path

import pytest

from opencare.ocds.profile import SOCIAL_CARE_EXTENSIONS, ProfileError, build_profile, data_root
from opencare.ocds.profile.builder import check_refs, schema_refs

VENDORED = Path(str(data_root().joinpath("extensions")))


def test_the_network_block_really_blocks(no_network):
    with pytest.raises(RuntimeError, match="network access attempted"):
        socket.create_connection(("127.0.0.1", 9))


def test_profile_builds_from_vendored_files_with_the_network_blocked(no_network):
    profile = build_profile()
    assert [e.name for e in profile.extensions] == list(SOCIAL_CARE_EXTENSIONS)
    assert profile.standard_version == "1.1.5"


def test_profile_applies_the_extensions_social_care_needs():
    schema = build_profile().release_schema
    definitions = schema["definitions"]
    assert "targets" in definitions["Tender"]["properties"]  # metrics
    assert "agreedMetrics" in definitions["Contract"]["properties"]
    assert "metrics" in definitions["Implementation"]["properties"]
    assert "measureClassification" in definitions["Observation"]["properties"]  # UK extension
    assert "performanceFailures" in definitions["Implementation"]["properties"]
    assert "lots" in definitions["Tender"]["properties"]
    assert {"pageStart", "pageEnd"} <= set(definitions["Document"]["properties"])  # document details
    assert "buyer" in definitions["Award"]["properties"]  # award buyer (the pilot's extension)
    assert "title" in schema["properties"]  # process title
    assert "documents" in definitions["Milestone"]["properties"]


def test_milestone_documents_are_not_deprecated_once_the_extension_removes_it_with_null():
    documents = build_profile().release_schema["definitions"]["Milestone"]["properties"]["documents"]
    assert "deprecated" not in documents


def test_package_schema_patches_are_applied_so_pagination_links_are_known():
    profile = build_profile()
    assert "links" in profile.release_package_schema["properties"]
    assert "links" in profile.record_package_schema["properties"]


def test_package_schemas_are_self_contained():
    profile = build_profile()
    for schema in (profile.release_package_schema, profile.record_package_schema):
        assert all(ref.startswith("#/definitions/") for ref in schema_refs(schema))
        check_refs(schema, "package")  # raises if any $ref resolves nowhere
    items = profile.release_package_schema["properties"]["releases"]["items"]
    assert items == {"$ref": "#/definitions/Release"}


def test_extension_codes_are_added_to_codelists_and_closed_enums():
    profile = build_profile()
    assert "implementationNotice" in profile.codes("documentType.csv")  # +documentType.csv from the UK extension
    assert "penaltyType.csv" in profile.codelists


def test_closed_codelist_enum_follows_the_merged_codelist(tmp_path):
    extensions = tmp_path / "extensions"
    ext = extensions / "adds_award_status"
    (ext / "codelists").mkdir(parents=True)
    (ext / "extension.json").write_text(json.dumps({"name": {"en": "x"}, "codelists": ["+awardStatus.csv"]}))
    (ext / "codelists" / "+awardStatus.csv").write_text("Code,Title,Description\nprovisional,Provisional,\n")
    profile = build_profile(("adds_award_status",), extensions_dir=extensions)
    enum = profile.release_schema["definitions"]["Award"]["properties"]["status"]["enum"]
    assert "provisional" in enum
    assert None in enum  # the field stays nullable


def _extension(root: Path, name: str, schema: dict | None = None, codelists: dict[str, str] | None = None) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    metadata: dict = {"name": {"en": name}}
    if schema is not None:
        (folder / "release-schema.json").write_text(json.dumps(schema))
        metadata["schemas"] = ["release-schema.json"]
    if codelists:
        (folder / "codelists").mkdir()
        for filename, text in codelists.items():
            (folder / "codelists" / filename).write_text(text)
        metadata["codelists"] = list(codelists)
    (folder / "extension.json").write_text(json.dumps(metadata))


def test_unresolvable_ref_stops_the_build(tmp_path):
    _extension(tmp_path, "broken", {"definitions": {"Tender": {"properties": {"x": {"$ref": "#/definitions/Nope"}}}}})
    with pytest.raises(ProfileError, match=r"#/definitions/Nope"):
        build_profile(("broken",), extensions_dir=tmp_path)


def test_lots_extension_without_submission_terms_is_an_error_not_an_empty_schema(tmp_path):
    shutil.copytree(VENDORED / "ocds_lots_extension", tmp_path / "ocds_lots_extension")
    with pytest.raises(ProfileError, match="SubmissionTerms"):
        build_profile(("ocds_lots_extension",), extensions_dir=tmp_path)


def test_missing_extension_is_an_error(tmp_path):
    with pytest.raises(ProfileError, match="not vendored"):
        build_profile(("ocds_nowhere_extension",), extensions_dir=tmp_path)


def test_invalid_json_in_an_extension_is_an_error(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "extension.json").write_text("{not json")
    with pytest.raises(ProfileError, match=r"bad/extension\.json: not valid JSON"):
        build_profile(("bad",), extensions_dir=tmp_path)


def test_declared_schema_file_that_is_missing_is_an_error(tmp_path):
    (tmp_path / "gap").mkdir()
    (tmp_path / "gap" / "extension.json").write_text(json.dumps({"schemas": ["release-schema.json"]}))
    with pytest.raises(ProfileError, match=r"gap/release-schema\.json: file is missing"):
        build_profile(("gap",), extensions_dir=tmp_path)


def test_codelist_patch_with_nothing_to_patch_is_an_error(tmp_path):
    _extension(tmp_path, "orphan", codelists={"+noSuchList.csv": "Code,Title\nx,X\n"})
    with pytest.raises(ProfileError, match=r"noSuchList\.csv"):
        build_profile(("orphan",), extensions_dir=tmp_path)


def test_codelist_removal_patch_removes_codes(tmp_path):
    _extension(tmp_path, "fewer", codelists={"-milestoneType.csv": "Code\nfinancing\n"})
    profile = build_profile(("fewer",), extensions_dir=tmp_path)
    assert "financing" not in profile.codes("milestoneType.csv")
    assert "delivery" in profile.codes("milestoneType.csv")


def test_codelist_without_code_column_is_an_error(tmp_path):
    _extension(tmp_path, "nocode", codelists={"things.csv": "Name\nx\n"})
    with pytest.raises(ProfileError, match="no 'Code' column"):
        build_profile(("nocode",), extensions_dir=tmp_path)


def test_every_vendored_extension_has_its_source_recorded():
    profile = build_profile()
    assert profile.extensions
    for extension in profile.extensions:
        assert extension.repository, extension.name
        assert extension.commit, extension.name
