"""The committed OpenAPI document: in sync with the code, and complete enough for an integrator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from referral_service.errors import PROBLEM_MEDIA_TYPE
from referral_service.openapi_export import openapi_json

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi" / "openapi.json"
REGENERATE = "python3 dev.py generate   (or only the document: python3 dev.py cli openapi)"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def generated() -> str:
    return openapi_json()


@pytest.fixture(scope="module")
def document(generated: str) -> dict:
    return json.loads(generated)


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def test_committed_document_matches_the_code(generated: str) -> None:
    assert COMMITTED.exists(), f"openapi/openapi.json is missing; run: {REGENERATE}"
    committed = COMMITTED.read_text(encoding="utf-8")
    assert committed == generated, f"openapi/openapi.json is out of date with the code; run: {REGENERATE}"


def test_generation_is_deterministic(generated: str) -> None:
    assert openapi_json() == generated
    # Nothing machine-specific: no absolute paths, no host names of this machine.
    assert str(ROOT) not in generated
    assert "/tmp/" not in generated and "/home/" not in generated and "/root/" not in generated


def test_openapi_version_and_security_scheme(document: dict) -> None:
    assert document["openapi"].startswith("3.1")
    schemes = document["components"]["securitySchemes"]
    assert schemes == {
        "HTTPBearer": {"type": "http", "scheme": "bearer", "description": schemes["HTTPBearer"]["description"]}
    }
    inbound = document["paths"]["/v1/inbound/{agency_code}/events"]["post"]
    assert inbound["security"] == [], "the inbound push is authenticated by its signature, not a key"


def test_operation_ids_are_unique_and_readable(document: dict) -> None:
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    tags = {tag["name"].replace("-", "_") for tag in document["tags"]}
    for method, path, op in operations(document):
        operation_id = op["operationId"]
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", operation_id), (method, path, operation_id)
        assert any(operation_id.startswith(tag + "_") for tag in tags), (method, path, operation_id)
        # FastAPI's fallback names end with the path and method (`create_item_items_post`).
        assert "_v1_" not in operation_id, operation_id
        assert len(op["tags"]) == 1 and op["tags"][0] in {t["name"] for t in document["tags"]}


def test_every_operation_is_described(document: dict) -> None:
    missing = [
        f"{method} {path}"
        for method, path, op in operations(document)
        if len((op.get("description") or "").strip()) < 20 or not op.get("summary")
    ]
    assert not missing, f"operations without a summary and description: {missing}"


def test_every_operation_has_a_written_summary(document: dict) -> None:
    from referral_service.openapi_docs import SUMMARIES

    ids = {op["operationId"] for _, _, op in operations(document)}
    assert ids <= set(SUMMARIES), f"add a summary to openapi_docs.SUMMARIES for: {sorted(ids - set(SUMMARIES))}"
    assert set(SUMMARIES) <= ids, f"summaries for operations that no longer exist: {sorted(set(SUMMARIES) - ids)}"


def _has_example(schema: dict) -> bool:
    if "examples" in schema or "example" in schema:
        return True
    if "enum" in schema or "const" in schema:
        return True  # every allowed value is listed: the schema is its own example
    properties = schema.get("properties")
    if properties:
        return all(_has_example(prop) or "$ref" in prop or _refs_only(prop) for prop in properties.values())
    return False


def _refs_only(schema: dict) -> bool:
    """A property that is a (nullable / list of a) referenced schema: the example lives on that schema."""
    if "$ref" in schema:
        return True
    if "items" in schema:
        return _refs_only(schema["items"])
    variants = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if variants:
        return all(_refs_only(v) or v.get("type") == "null" for v in variants)
    return False


def test_every_component_schema_has_a_description_and_an_example(document: dict) -> None:
    problems = []
    for name, schema in document["components"]["schemas"].items():
        if len((schema.get("description") or "").strip()) < 10:
            problems.append(f"{name}: no description")
        if not _has_example(schema):
            problems.append(f"{name}: no example on the schema, nor on each of its properties")
    assert not problems, "\n".join(problems)


def test_every_error_response_is_problem_json(document: dict) -> None:
    problems = []
    for method, path, op in operations(document):
        responses = op["responses"]
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                content = response.get("content", {})
                schema = content.get(PROBLEM_MEDIA_TYPE, {}).get("schema", {})
                if list(content) != [PROBLEM_MEDIA_TYPE] or schema.get("$ref") != "#/components/schemas/Problem":
                    problems.append(f"{method} {path} {code}: {list(content)}")
        if op.get("security", document.get("security")) not in (None, []) and "401" not in responses:
            problems.append(f"{method} {path}: authenticated but no 401")
        if (op.get("parameters") or "requestBody" in op) and "422" not in responses:
            problems.append(f"{method} {path}: has parameters or a body but no 422")
        if "requestBody" in op and not {"400", "413", "415"} <= set(responses):
            problems.append(f"{method} {path}: has a body but not all of 400/413/415")
    assert not problems, "\n".join(problems)


def test_outbound_webhooks_are_documented(document: dict) -> None:
    from referral_service.events.catalogue import CATALOGUE

    assert set(document["webhooks"]) == {event_type.name for event_type in CATALOGUE}
    for item in document["webhooks"].values():
        op = item["post"]
        assert op.get("description") and op["requestBody"]["content"]["application/json"]["schema"]["$ref"]


def _integer_schemas(schema: dict, components: dict, where: str, seen: frozenset[str] = frozenset()):
    """(where, schema) for every integer in `schema`, following `$ref`s, unions, items and properties."""
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:  # recursive schemas are walked once
            yield from _integer_schemas(components[name], components, where, seen | {name})
        return
    if schema.get("type") == "integer" or (isinstance(schema.get("type"), list) and "integer" in schema["type"]):
        yield where, schema
    for keyword in ("anyOf", "oneOf", "allOf"):
        for variant in schema.get(keyword, []):
            yield from _integer_schemas(variant, components, where, seen)
    for name, prop in schema.get("properties", {}).items():
        yield from _integer_schemas(prop, components, f"{where}.{name}", seen)
    for keyword in ("items", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            yield from _integer_schemas(schema[keyword], components, f"{where}[]", seen)


def test_every_integer_input_is_bounded(document: dict) -> None:
    """A number past what a column holds used to reach the database and come back as a 500: every
    integer a client can send (parameter or request-body property) states its minimum and maximum."""
    components = document["components"]["schemas"]
    inputs = []
    for method, path, op in operations(document):
        for parameter in op.get("parameters", []):
            where = f"{method} {path} {parameter['in']} {parameter['name']}"
            inputs += _integer_schemas(parameter.get("schema", {}), components, where)
        for media_type, content in op.get("requestBody", {}).get("content", {}).items():
            inputs += _integer_schemas(content.get("schema", {}), components, f"{method} {path} body ({media_type})")
    assert inputs, "the walk found no integer inputs at all: it is not looking in the right places"
    unbounded = [where for where, schema in inputs if "minimum" not in schema or "maximum" not in schema]
    assert not unbounded, f"integer inputs without both a minimum and a maximum: {unbounded}"
