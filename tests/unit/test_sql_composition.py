"""Named-parameter SQL: placeholders become asyncpg's `$n` once per text, parts compose by name."""

from __future__ import annotations

import pytest

from referral_service.db.sql import Sql, compile_text


def test_placeholders_are_numbered_in_order_of_first_use() -> None:
    text, args = Sql("SELECT :b, :a, :b", a=1, b=2).positional()
    assert text == "SELECT $1, $2, $1"
    assert args == [2, 1]


def test_casts_and_quoted_text_are_not_placeholders() -> None:
    text, args = Sql("SELECT :x::jsonb, ':not' || \"col:umn\", a::text", x="{}").positional()
    assert text == "SELECT $1::jsonb, ':not' || \"col:umn\", a::text"
    assert args == ["{}"]


def test_parts_compose_with_their_own_values() -> None:
    clause = Sql("region_code = :region", region="64")
    query = Sql("SELECT 1 FROM complaints WHERE ") + clause + Sql(" AND id > :after", after=5)
    text, args = query.positional()
    assert text == "SELECT 1 FROM complaints WHERE region_code = $1 AND id > $2"
    assert args == ["64", 5]


def test_join_merges_values_and_a_shared_name_with_one_value_is_one_parameter() -> None:
    query = Sql.join(" OR ", [Sql("a = :v", v=1), Sql("b = :v", v=1), Sql("c = :w", w=2)])
    text, args = query.positional()
    assert text == "a = $1 OR b = $1 OR c = $2"
    assert args == [1, 2]


def test_one_name_bound_to_two_values_is_refused() -> None:
    with pytest.raises(ValueError, match=":v"):
        Sql("a = :v", v=1) + Sql(" AND b = :v", v=2)


def test_a_missing_value_names_the_parameter() -> None:
    with pytest.raises(KeyError, match="after"):
        Sql("SELECT :after").positional()


def test_bind_gives_a_constant_its_values() -> None:
    statement = Sql("SELECT :a + :b")
    assert statement.bind(a=1, b=2).positional() == ("SELECT $1 + $2", [1, 2])
    assert statement.params == {}


def test_the_translation_is_cached_per_text() -> None:
    assert compile_text("SELECT :q") is compile_text("SELECT :q")


def test_repr_leaves_the_values_out() -> None:
    assert "Siti" not in repr(Sql("SELECT :name", name="Siti"))


def test_comments_are_text_whatever_they_hold() -> None:
    text, args = Sql("SELECT :a -- the agency's :b\n, /* it's :c */ :d", a=1, d=2).positional()
    assert text == "SELECT $1 -- the agency's :b\n, /* it's :c */ $2"
    assert args == [1, 2]
