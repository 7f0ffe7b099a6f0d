"""Every problem the service can raise has its title and detail in Bahasa Indonesia.

The texts are found in the source, not in a list kept by hand: every construction of a ProblemError
subclass, every `problem_body(...)` and middleware refusal, every class `title`, the titles of the
HTTP statuses Starlette raises, and the texts that reach a detail through a variable (signature
failure reasons, the report window's complaint). A new problem without an Indonesian text fails here.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from referral_service import errors
from referral_service.problem_texts import INDONESIAN, localize, pick_language, to_indonesian

SRC = Path(errors.__file__).resolve().parent

PROBLEM_CLASSES = {
    name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, errors.ProblemError)
}
# Starlette's details for the statuses its routing and middleware raise.
HTTP_PHRASES = {"Not Found", "Method Not Allowed", "Not Acceptable", "Unauthorized", "Forbidden", "Bad Request"}
# Calls that build a problem from (status, slug, title, detail, ...): where title and detail are.
PROBLEM_BUILDERS = {"problem_body": (2, 3), "_refuse": (4, 5)}
# Exceptions whose message becomes a problem's detail elsewhere (InvalidSignature(exc.reason)).
DETAIL_SOURCES = {"SignatureError"}
# Functions whose returned text becomes a problem's detail (UnprocessableEntity(problem)).
DETAIL_FUNCTIONS = {"window_problem"}
# A detail that is neither a literal nor an f-string is allowed only here, with where its texts come from.
INDIRECT_DETAILS = {
    ("inbound/uploads.py", "exc.reason"): "SignatureError messages",
    ("inbound/inbox.py", "exc.reason"): "SignatureError messages",
    ("reports/endpoints.py", "problem"): "window_problem's return values",
    ("ui/referral.py", "exc.detail"): "a ProblemError's own detail",
    ("middleware.py", "title"): "_refuse's callers",
    ("middleware.py", "detail"): "_refuse's callers",
    ("errors.py", "title"): "the class attributes and _DEFAULT_TITLES",
    ("errors.py", "slug"): "not a text",
    ("errors.py", "detail"): "a ProblemError's own detail or Starlette's status phrase",
    ("errors.py", "self.title"): "the class attributes",
    ("errors.py", "self.detail"): "a ProblemError's own detail",
    ("errors.py", "exc.detail"): "Starlette's status phrase",
}


def template_of(node: ast.expr, constants: dict[str, str] | None = None) -> str | None:
    """The text an expression makes, with `{0}`, `{1}`... for the values put in; None when it is no text.
    A name is read through `constants`, the module's own string constants (`raise Conflict(DISABLED)`)."""
    parts: list[str] = []
    count = 0

    def walk(expr: ast.expr) -> bool:
        nonlocal count
        if isinstance(expr, ast.Name) and constants and expr.id in constants:
            parts.append(constants[expr.id].replace("{", "{{").replace("}", "}}"))
            return True
        if isinstance(expr, ast.Constant):
            if not isinstance(expr.value, str):
                return False
            parts.append(expr.value.replace("{", "{{").replace("}", "}}"))
            return True
        if isinstance(expr, ast.JoinedStr):
            for value in expr.values:
                if isinstance(value, ast.Constant):
                    walk(value)
                else:
                    parts.append("{" + str(count) + "}")
                    count += 1
            return True
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            for side in (expr.left, expr.right):
                if not walk(side):
                    parts.append("{" + str(count) + "}")
                    count += 1
            return True
        return False

    if not walk(node):
        return None
    return "".join(parts)


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def problem_texts() -> Iterator[tuple[str, int, str | None, str]]:
    """(file, line, text template or None, expression source) for every problem text in the source."""
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            statement.targets[0].id: statement.value.value
            for statement in tree.body
            if isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                args: list[ast.expr] = []
                if name in PROBLEM_CLASSES or name in DETAIL_SOURCES:
                    args = node.args[:1]
                    args += [k.value for k in node.keywords if k.arg == "detail"]
                elif name in PROBLEM_BUILDERS:
                    positions = PROBLEM_BUILDERS[name]
                    args = [node.args[i] for i in positions if i < len(node.args)]
                for arg in args:
                    if isinstance(arg, ast.Constant) and arg.value is None:
                        continue
                    yield relative, node.lineno, template_of(arg, constants), ast.unparse(arg)
            elif isinstance(node, ast.ClassDef) and node.name in PROBLEM_CLASSES:
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                        targets = statement.targets[0]
                        if isinstance(targets, ast.Tuple):
                            for target, value in zip(targets.elts, statement.value.elts, strict=True):
                                if isinstance(target, ast.Name) and target.id == "title":
                                    yield relative, statement.lineno, template_of(value), ast.unparse(value)
            elif isinstance(node, ast.FunctionDef) and node.name in DETAIL_FUNCTIONS:
                for inner in ast.walk(node):
                    returned = inner.value if isinstance(inner, ast.Return) else None
                    if returned is not None and not (isinstance(returned, ast.Constant) and returned.value is None):
                        yield relative, inner.lineno, template_of(returned), ast.unparse(returned)


def all_templates() -> set[str]:
    found = {text for _, _, text, _ in problem_texts() if text is not None}
    found |= {title for _, title in errors._DEFAULT_TITLES.values()}
    found |= HTTP_PHRASES
    found.add(errors.ProblemError.title)
    # A text made of values alone (`f"{reason}."`) has no words of its own to translate.
    return {t for t in found if any(c.isalpha() for c in _literal(t))}


def _literal(template: str) -> str:
    return "".join(literal for literal, _, _, _ in string.Formatter().parse(template))


def test_the_walk_finds_the_problems_it_should() -> None:
    templates = all_templates()
    assert "No referral with this id." in templates
    assert "No agency with code {0}." in templates
    assert "Action not allowed in the current state" in templates
    assert "missing {0} header" in templates  # a signature failure reason
    assert "The window may span at most {0} days." in templates
    assert len(templates) > 80


def test_every_detail_is_a_text_the_walk_can_read() -> None:
    unreadable = [
        f"{file}:{line}: {source}"
        for file, line, text, source in problem_texts()
        if text is None and (file, source) not in INDIRECT_DETAILS
    ]
    assert not unreadable, "a problem text the walk cannot read; add where its texts come from:\n" + "\n".join(
        unreadable
    )


def test_every_problem_text_has_an_indonesian_text() -> None:
    missing = sorted(t for t in all_templates() if t not in INDONESIAN)
    assert not missing, "no Indonesian text for:\n" + "\n".join(missing)


def test_the_indonesian_texts_keep_every_value() -> None:
    formatter = string.Formatter()
    for english, indonesian in INDONESIAN.items():
        fields = {f for _, f, _, _ in formatter.parse(english) if f is not None}
        assert fields == {f for _, f, _, _ in formatter.parse(indonesian) if f is not None}, english
        assert indonesian.strip(), english


def test_no_text_is_left_without_a_use() -> None:
    unused = sorted(set(INDONESIAN) - all_templates())
    assert not unused, "Indonesian texts nothing raises any more:\n" + "\n".join(unused)


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("No referral with this id.", "Tidak ada rujukan dengan id ini."),
        ("Agency 'x-1' is not in the directory.", "Instansi 'x-1' tidak ada dalam direktori."),
        ("missing webhook-id header.", "Header webhook-id tidak ada."),
        ("Something nobody wrote.", None),
    ],
)
def test_a_detail_with_values_is_translated_with_them(english: str, indonesian: str | None) -> None:
    assert to_indonesian(english) == indonesian


def test_a_problem_body_follows_the_language() -> None:
    body = errors.NotFound("No referral with this id.").to_problem("/v1/referrals/x")
    assert localize(body, "en") == body
    translated = localize(body, "id")
    assert translated["title"] == "Sumber daya tidak ditemukan"
    assert translated["detail"] == "Tidak ada rujukan dengan id ini."
    assert translated["type"] == body["type"] and translated["status"] == 404


@pytest.mark.parametrize(
    ("accept_language", "path", "cookie", "expected"),
    [
        (None, "/v1/referrals", None, "en"),
        ("id", "/v1/referrals", None, "id"),
        ("id-ID,id;q=0.9,en;q=0.8", "/v1/referrals", None, "id"),
        ("en-US,en;q=0.9,id;q=0.8", "/v1/referrals", None, "en"),
        ("en;q=0.5, id", "/v1/referrals", None, "id"),
        ("fr", "/v1/referrals", None, "en"),
        ("id;q=0", "/v1/referrals", None, "en"),
        ("*", "/v1/referrals", None, "en"),
        (None, "/ui/referrals/x", None, "id"),
        ("en-US,en;q=0.9", "/ui/referrals/x", None, "id"),  # the pages' own language, not the browser's
        ("id", "/ui/referrals/x", "en", "en"),
    ],
)
def test_the_language_of_a_request(accept_language: str | None, path: str, cookie: str | None, expected: str) -> None:
    assert pick_language(accept_language, path, cookie) == expected
