"""Export the JSON Schemas of every event and tell breaking changes apart from safe ones.

`python -m qms_contracts.schemas` rewrites the committed schemas under libs/contracts/schemas/.
A change is breaking for existing consumers when a field is removed or retyped, or when a
field becomes required; such a change needs a new event type version instead.
"""

import json
import sys
from pathlib import Path
from typing import Any

from qms_contracts.base import event_types

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def current_schemas() -> dict[str, dict[str, Any]]:
    return {name: model.model_json_schema() for name, model in event_types().items()}


def committed_schemas(directory: Path = SCHEMA_DIR) -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = root["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return schema


def _type_of(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return sorted(
            json.dumps(_type_of(option, root), sort_keys=True) for option in schema["anyOf"]
        )
    if schema.get("type") == "array":
        return ["array", _type_of(schema.get("items", {}), root)]
    if schema.get("type") == "object" or "properties" in schema:
        return "object"
    return [schema.get("type"), schema.get("format"), schema.get("enum")]


def _object_of(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema inside a field: itself, its array items, or its non-null option."""
    schema = _resolve(schema, root)
    if schema.get("type") == "array":
        return _object_of(schema.get("items", {}), root)
    if "anyOf" in schema:
        options = [_object_of(option, root) for option in schema["anyOf"]]
        objects = [option for option in options if option is not None]
        return objects[0] if len(objects) == 1 else None
    return schema if "properties" in schema else None


def breaking_changes(
    old: dict[str, Any],
    new: dict[str, Any],
    old_root: dict[str, Any] | None = None,
    new_root: dict[str, Any] | None = None,
    path: str = "",
) -> list[str]:
    """List what in `new` would break a consumer written against `old`."""
    old_root = old_root or old
    new_root = new_root or new
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_field in old_props.items():
        where = f"{path}.{name}" if path else name
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        new_field = new_props[name]
        if _type_of(old_field, old_root) != _type_of(new_field, new_root):
            problems.append(f"{where}: type changed")
            continue
        old_inner, new_inner = _object_of(old_field, old_root), _object_of(new_field, new_root)
        if old_inner is not None and new_inner is not None:
            problems += breaking_changes(old_inner, new_inner, old_root, new_root, where)
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"{path + '.' if path else ''}{name}: now required")
    return problems


def export(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current_schemas().items():
        path = directory / f"{name}.json"
        path.write_text(
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in export(Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR):
        print(written_path.name)
