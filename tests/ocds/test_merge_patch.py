import copy

from hypothesis import given
from hypothesis import strategies as st

from opencare.ocds.profile.merge_patch import merge_patch_in_place


def apply_merge_patch(target, patch):
    # The builder patches freshly parsed schemas in place; the tests patch copies so inputs stay comparable.
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    merge_patch_in_place(result, copy.deepcopy(patch))
    return result


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=10,
)


def test_null_in_patch_removes_the_key():
    assert apply_merge_patch({"a": 1, "b": {"deprecated": {"x": 1}, "c": 2}}, {"b": {"deprecated": None}}) == {
        "a": 1,
        "b": {"c": 2},
    }


def test_nested_objects_merge_and_arrays_replace():
    target = {"properties": {"a": {"type": "string"}}, "required": ["a"]}
    patch = {"properties": {"b": {"type": "number"}}, "required": ["b"]}
    assert apply_merge_patch(target, patch) == {
        "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
        "required": ["b"],
    }


def test_patch_does_not_change_its_inputs():
    target, patch = {"a": {"b": 1}}, {"a": {"c": 2}}
    apply_merge_patch(target, patch)
    assert target == {"a": {"b": 1}}
    assert patch == {"a": {"c": 2}}


@given(json_values, st.dictionaries(st.text(max_size=3), json_values.filter(lambda v: v is not None), max_size=4))
def test_every_non_null_key_of_an_object_patch_is_in_the_result(target, patch):
    result = apply_merge_patch(target, patch)
    assert set(patch) <= set(result)


@given(json_values)
def test_patching_with_an_empty_object_keeps_an_object_target(target):
    result = apply_merge_patch(target, {})
    assert result == (target if isinstance(target, dict) else {})


def test_nulls_inside_a_new_object_are_dropped_as_rfc_7386_says():
    assert apply_merge_patch({}, {"a": {"b": None, "c": 1}}) == {"a": {"c": 1}}
