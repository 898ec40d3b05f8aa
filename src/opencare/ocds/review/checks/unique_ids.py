"""Objects in an array must have different ids: merging matches them by id, so a repeat silently overwrites one.

Only the schema paths that lead to arrays of objects with an ``id`` are walked (a tree built once per profile), so
the cost follows the data that is there, not the size of the schema.
"""

from __future__ import annotations

from typing import Any

from opencare.ocds.review.checks import Emit

#: Deep enough for every id array in OCDS and its extensions; stops recursive definitions.
MAX_TREE_DEPTH = 8

Tree = dict[str, tuple[bool, "Tree"]]


def id_array_tree(schema: dict[str, Any]) -> Tree:
    """Property name -> (is an array of objects with ids, subtree), for every path that reaches one."""
    return _tree(schema, schema, 0)


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        return root["definitions"].get(ref.removeprefix("#/definitions/"), {})
    return node


def _tree(root: dict[str, Any], node: dict[str, Any], depth: int) -> Tree:
    if depth > MAX_TREE_DEPTH:
        return {}
    tree: Tree = {}
    for name, prop in (node.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        items = prop.get("items")
        target = _resolve(root, items if isinstance(items, dict) else prop)
        is_id_array = isinstance(items, dict) and "id" in (target.get("properties") or {})
        subtree = _tree(root, target, depth + 1) if target.get("properties") else {}
        if is_id_array or subtree:
            tree[name] = (is_id_array, subtree)
    return tree


def check_unique_ids(release: dict[str, Any], tree: Tree, emit: Emit) -> None:
    """Report each array in which two objects share an id."""
    stack: list[tuple[dict[str, Any], Tree, tuple[str | int, ...]]] = [(release, tree, ())]
    while stack:
        obj, node, where = stack.pop()
        for key, value in obj.items():  # the object's own keys: usually fewer than the schema offers
            entry = node.get(key)
            if entry is None:
                continue
            is_id_array, subtree = entry
            if type(value) is dict:
                if subtree:
                    stack.append((value, subtree, (*where, key)))
            elif type(value) is list and value:
                if is_id_array and len(value) > 1:  # most arrays hold one object: nothing to compare
                    _duplicates(value, (*where, key), emit)
                if subtree:
                    for index, item in enumerate(value):
                        if type(item) is dict:
                            stack.append((item, subtree, (*where, key, index)))


def _duplicates(items: list[Any], where: tuple[str | int, ...], emit: Emit) -> None:
    """Report each id used more than once in this array, once."""
    ids = [str(item["id"]) for item in items if type(item) is dict and "id" in item]
    if len(ids) == len(set(ids)):
        return
    path = "/".join(str(part) for part in where if not isinstance(part, int))
    seen: set[str] = set()
    reported: set[str] = set()
    for index, item in enumerate(items):
        if type(item) is dict and "id" in item:
            identifier = str(item["id"])
            if identifier in seen and identifier not in reported:
                pointer = "".join(f"/{part}" for part in (*where, index, "id"))
                emit("ocds.duplicate-id-in-array", "error", path, pointer, item["id"], {})
                reported.add(identifier)
            seen.add(identifier)
