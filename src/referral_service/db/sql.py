"""SQL with named parameters, composed from parts: no `$n` arithmetic, no SQL built with `format`.

A statement is written as text with `:name` placeholders and carries its values by name:

    Sql("SELECT id FROM complaints WHERE region_code = :region", region=code)

Parts compose with `+` and `Sql.join`, each bringing its own values, so a scope clause written once
(`auth/scope.py`) drops into any statement without knowing which `$n` is free. A name used twice is
one parameter; two parts that bind one name to different values are a programming error, raised at
composition.

The text is translated to asyncpg's positional form (`$1`, `$2`...) once per distinct text and
cached, so asyncpg's per-connection statement cache sees one text per shape and prepares it once.
Statement *shapes* are few (the shapes of principal, the filters a list takes), values are many:
values always go in parameters, never in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

# A comment, a quoted literal or identifier (each skipped whole: a colon or an apostrophe inside it
# is text), a `::` cast, or a `:name` placeholder.
_TOKEN = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"[^\"]*\"|::|:([A-Za-z_][A-Za-z0-9_]*)", re.DOTALL)


@lru_cache(maxsize=4096)
def compile_text(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` in asyncpg's positional form, and the parameter names in `$n` order."""
    names: list[str] = []
    positions: dict[str, int] = {}

    def place(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)
        position = positions.get(name)
        if position is None:
            names.append(name)
            position = positions[name] = len(names)
        return f"${position}"

    return _TOKEN.sub(place, text), tuple(names)


class Sql:
    """A piece of SQL text and the values of the named parameters it uses."""

    __slots__ = ("params", "text")

    def __init__(self, text: str, /, **params: Any) -> None:
        self.text = text
        self.params = params

    def __add__(self, other: Sql | str) -> Sql:
        if isinstance(other, str):
            return Sql(self.text + other, **self.params)
        return Sql(self.text + other.text, **_merged(self.params, other.params))

    def __radd__(self, other: str) -> Sql:
        return Sql(other + self.text, **self.params)

    def bind(self, **params: Any) -> Sql:
        """The same text with more values (a statement constant given its values per call)."""
        if not self.params:  # the common case, a constant with no values of its own: nothing to check
            return Sql(self.text, **params)
        return Sql(self.text, **_merged(self.params, params))

    @staticmethod
    def join(separator: str, parts: Iterable[Sql]) -> Sql:
        texts: list[str] = []
        params: dict[str, Any] = {}
        for part in parts:
            texts.append(part.text)
            params = _merged(params, part.params)
        return Sql(separator.join(texts), **params)

    def wrapped(self) -> Sql:
        """In parentheses, to stand as one term of a larger condition."""
        return Sql(f"({self.text})", **self.params)

    def positional(self) -> tuple[str, list[Any]]:
        """The asyncpg form: the text with `$n`, and the values in that order."""
        text, names = compile_text(self.text)
        params = self.params
        try:
            return text, [params[name] for name in names]
        except KeyError as missing:
            raise KeyError(f"SQL parameter {missing} has no value") from None

    def __repr__(self) -> str:  # values left out: they can be complainant identity
        return f"Sql({self.text!r}, params={sorted(self.params)})"


def _merged(left: Mapping[str, Any], right: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(left)
    for name, value in right.items():
        if name in merged and merged[name] is not value and merged[name] != value:
            raise ValueError(f"SQL parameter :{name} bound twice to different values")
        merged[name] = value
    return merged


TRUE = Sql("true")
FALSE = Sql("false")
