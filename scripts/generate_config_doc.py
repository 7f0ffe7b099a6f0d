#!/usr/bin/env python3
"""Write docs/configuration.md from the settings class, `referral_service.config.Settings`.

    .venv/bin/python scripts/generate_config_doc.py            write docs/configuration.md
    .venv/bin/python scripts/generate_config_doc.py --check    exit 1 when the file is out of date

Each setting's variable name, type, default and description come from its `Field` (the
description is `Field(description=...)`), so the class is the one place a setting is documented.
`tests/unit/test_configuration_doc.py` fails when the committed file differs from what this
writes, or when a setting has no description: after adding or changing a setting, run this and
commit the result.
"""

from __future__ import annotations

import argparse
import enum
import sys
import types
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "configuration.md"

# This checkout's settings, even when the interpreter's environment has another checkout installed.
sys.path.insert(0, str(ROOT / "src"))

from pydantic import AliasChoices, SecretStr  # noqa: E402
from pydantic.fields import FieldInfo  # noqa: E402

from referral_service.config import Settings  # noqa: E402

HEADER = """\
# Configuration

<!-- Generated from referral_service.config.Settings by scripts/generate_config_doc.py; do not edit.
     Change a setting's Field(description=...) in src/referral_service/config.py and run the script. -->

For an operator: every setting the service reads, each from an environment variable.{dotenv}
Values are read once when a process starts, so restart the API processes and workers after a
change. A value that does not fit the type or its bounds stops the process at start with a message
naming the variable.

| Variable | Type | Default | Meaning |
|---|---|---|---|
"""

FOOTER = """
## Read elsewhere

These are not service settings, but some commands and the tests read them:

| Variable | Read by | Meaning |
|---|---|---|
| `REFERRAL_INBOUND_SECRET` | `referral-service send-inbound` | The agency's inbound secret when `--secret` is not given ([inbound.md](inbound.md#7-from-the-command-line)). |
| `TEST_DATABASE_URL` | the test suite, `python3 dev.py test` | A PostgreSQL *server* for the tests; each run creates and drops its own database on it. Unset: the embedded server in `.referral-data/test-pg`. |
| `REFERRAL_IN_PROCESS_JOBS` | `serve --workers N` | Set by `serve` for the API processes it starts (whether each runs the background jobs); not for operators. |
"""

_SCALARS: dict[object, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Path: "path",
    SecretStr: "string, secret",
}
_BOUNDS = (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"))


def env_name(name: str, field: FieldInfo) -> str:
    alias = field.validation_alias
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        return " or ".join(str(choice) for choice in alias.choices)
    prefix = Settings.model_config.get("env_prefix", "") or ""
    return (prefix + name).upper()


def type_text(annotation: object) -> tuple[str, bool]:
    """The type in words, and whether None is allowed."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        return " or ".join(type_text(member)[0] for member in members), optional
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{value}`" for value in typing.get_args(annotation)), False
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of " + ", ".join(f"`{member.value}`" for member in annotation), False
    if annotation in _SCALARS:
        return _SCALARS[annotation], False
    return getattr(annotation, "__name__", str(annotation)), False


def bounds_text(field: FieldInfo) -> str:
    found = []
    for constraint in field.metadata:
        for attribute, symbol in _BOUNDS:
            value = getattr(constraint, attribute, None)
            if value is not None:
                found.append(f"{symbol} {value_text(value)}")
    return ", ".join(found)


def value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "(set)"
    if value == "":
        return "empty"
    return f"`{value_text(value)}`"


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def fields_in_order() -> list[tuple[str, FieldInfo]]:
    """Settings' own fields first, in the order written, then each group it inherits (config_*.py)."""
    names: list[str] = []
    for cls in Settings.__mro__:
        names += [name for name in vars(cls).get("__annotations__", {}) if name in Settings.model_fields]
    return [(name, Settings.model_fields[name]) for name in dict.fromkeys(names)]


def rows() -> list[tuple[str, str, str, str]]:
    table = []
    for name, field in fields_in_order():
        kind, optional = type_text(field.annotation)
        bounds = bounds_text(field)
        kind = ", ".join(part for part in (kind, bounds) if part)
        if optional:
            kind += " (optional)"
        table.append((env_name(name, field), kind, default_text(field), field.description or ""))
    return table


def render() -> str:
    env_file = Settings.model_config.get("env_file")
    dotenv = (
        f"\nA `{env_file}` file in the working directory is read too; the environment wins over it."
        if isinstance(env_file, str)
        else ""
    )
    lines = [HEADER.format(dotenv=dotenv)]
    for variable, kind, default, description in rows():
        lines.append(f"| `{variable}` | {cell(kind)} | {cell(default)} | {cell(description)} |\n")
    return "".join(lines) + FOOTER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/configuration.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.relative_to(ROOT)} is out of date; run: python3 scripts/generate_config_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"Wrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
