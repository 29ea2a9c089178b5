"""The common DQL mistakes give a positioned message in words: line, column, caret, and what to do.

Each case is checked exactly (``str(error)`` is what the CLI prints and the API's ``message``,
``line``, ``column`` and ``context`` carry the same parts).
"""

from __future__ import annotations

import pytest

from query.errors import QueryError, QuerySemanticError, QuerySyntaxError
from query.parsing.parser import parse_query
from tests.query.test_engine import run

CASES = [
    (  # missing comma between TABLE fields
        'TABLE a b FROM "x"',
        "line 1, column 9: a ',' is missing between two fields, or an operator between two values\n"
        'TABLE a b FROM "x"\n'
        "        ^",
    ),
    (  # unclosed string
        'LIST WHERE "abc',
        'line 1, column 12: this string is never closed: add the closing "\n'
        'LIST WHERE "abc\n'
        "           ^",
    ),
    (  # == instead of =
        "LIST WHERE rating == 4",
        "line 1, column 20: use '=' to compare values ('==' does not exist in DQL)\n"
        "LIST WHERE rating == 4\n"
        "                   ^",
    ),
    (  # LIST followed by SORT on the next line (Dataview reads SORT as LIST's field)
        "LIST\nSORT file.name",
        "line 2, column 6: 'SORT' was read as the LIST expression (a field named SORT), as "
        "Dataview does (issue #1569); give LIST an expression or a FROM/WHERE before SORT\n"
        "SORT file.name\n"
        "     ^",
    ),
    (  # a command with nothing after it
        "TABLE file.name\nSORT",
        "line 2, column 1: expected a field or expression after SORT\nSORT\n^",
    ),
    (  # no query type
        'WHERE x = 1 FROM "Books"',
        "line 1, column 1: unexpected WHERE: a query starts with its type: LIST, TABLE, TASK or "
        'CALENDAR\nWHERE x = 1 FROM "Books"\n^',
    ),
    (  # single quotes
        "LIST WHERE a = 'x'",
        'line 1, column 16: strings use double quotes ("..."), not single quotes\n'
        "LIST WHERE a = 'x'\n"
        "               ^",
    ),
    (  # && for and
        "LIST WHERE a && b",
        "line 1, column 15: use 'and' / 'or' (or a single '&' / '|'); '&&' and '||' do not exist "
        "in DQL\nLIST WHERE a && b\n              ^",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_common_mistakes_are_explained(text: str, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert str(caught.value) == expected
    error = caught.value
    assert error.context is not None and error.context.endswith("^")
    assert error.to_dict()["code"] == "syntax"


def test_where_before_from_fails_at_the_from() -> None:
    with pytest.raises(QueryError) as caught:
        run('LIST WHERE rating > 3 FROM "Books"')
    assert str(caught.value) == (
        "line 1, column 23: Unrecognized query operation 'folder': FROM must come directly after "
        "LIST, TABLE, TASK or CALENDAR, before WHERE, SORT and the other commands\n"
        'LIST WHERE rating > 3 FROM "Books"\n'
        "                      ^"
    )


def test_unknown_function_and_arity_are_positioned() -> None:
    with pytest.raises(QuerySemanticError) as caught:
        run("TABLE x\nWHERE lenght(file.tasks) > 1")
    assert str(caught.value) == (
        "line 2, column 7: Unrecognized function name 'lenght'\n"
        "WHERE lenght(file.tasks) > 1\n"
        "      ^"
    )
    with pytest.raises(QuerySemanticError, match="function 'choice' does not take 2 arguments"):
        run("LIST WHERE choice(1, 2)")
