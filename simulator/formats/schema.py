"""JSON Schemas generated from the models; committed in schema/ and checked for drift by a test."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from ..model import Procedure, Scenario, ScriptAction

VARIANT = {
    "title": "Variant",
    "description": "A plan variant: overlays merged into the procedures and the scenario (mappings merge by key).",
    "type": "object",
    "additionalProperties": False,
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "title_en": {"type": "string"},
        "description": {"type": "string"},
        "base": {"type": "string", "description": "scenario the variant was written for"},
        "procedure": {"type": "object", "description": "overlay on the merged procedure"},
        "scenario": {"type": "object", "description": "overlay on the scenario"},
    },
}


def schemas() -> dict[str, dict]:
    return {
        "procedure": Procedure.model_json_schema(),
        "scenario": Scenario.model_json_schema(by_alias=True),
        "variant": VARIANT,
        "actions": TypeAdapter(list[ScriptAction]).json_schema(),
    }


SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"


def render(kind: str) -> str:
    return json.dumps(schemas()[kind], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write() -> None:
    """Regenerate the committed schema files (make schema)."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for kind in schemas():
        (SCHEMA_DIR / f"{kind}.schema.json").write_text(render(kind), encoding="utf-8")
