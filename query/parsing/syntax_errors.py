"""Lark parse failures → :class:`QuerySyntaxError` with a message in words.

The message says what was expected where ("expected a field or expression after SORT"), and names
the usual mistakes outright: a missing comma between TABLE fields, an unclosed string, ``==``,
``<>``, ``&&``/``||``, a space before a call's ``(``, a space after a source's ``-``, and
Dataview's ``LIST⏎SORT x`` quirk (SORT is read as LIST's expression, issue #1569).
Lark exceptions never leave this module.
"""

from __future__ import annotations

from collections.abc import Collection

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from query.errors import QuerySyntaxError, caret_context

_OPERAND_START = {"VAR", "NUMBER", "STRING", "BOOL", "NULL", "LINK", "DATE_LIT", "LAMBDA_HEAD"}
_SOURCE_START = {"TAG", "SOURCE_NEG", "OUTGOING", "CSV"}
_KEYWORDS = {
    "LIST", "TABLE", "TASK", "CALENDAR", "FROM", "WHERE", "SORT", "GROUP_BY", "FLATTEN", "LIMIT",
    "AS", "WITHOUT_ID",
}  # fmt: skip
_FRIENDLY = {
    "COMMA": "','", "RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "COLON": "':'",
    "$END": "the end of the query", "AS": "AS", "DIRECTION": "ASC or DESC",
    "BOOLOP": "and/or", "CMPOP": "a comparison", "NAME": "a name", "STRING": "a string",
    "FROM": "FROM", "WHERE": "WHERE", "SORT": "SORT", "GROUP_BY": "GROUP BY",
    "FLATTEN": "FLATTEN", "LIMIT": "LIMIT",
}  # fmt: skip
_COMMON_MISTAKES = {
    "a ',' is missing between two fields, or an operator between two values": [
        "TABLE a b", "TABLE a, b c", "LIST a b", "LIST WHERE a b",
    ],
}  # fmt: skip


def _token_text(token: Token) -> str:
    if token.type == "$END":
        return "the end of the query"
    if token.type in _KEYWORDS:
        return " ".join(str(token).upper().split())
    return repr(str(token))


def _expected(names: Collection[str]) -> str:
    names = set(names)
    if names & _OPERAND_START:
        return "a field or expression"
    if names & _SOURCE_START:
        return 'a source (#tag, "folder", [[note]] or outgoing([[note]]))'
    if names == {"NAME", "STRING"}:
        return 'a name (an identifier or a "string")'
    if names == {"NAME"}:
        return "a field name"
    words = sorted({_FRIENDLY.get(name, name.lower()) for name in names if name in _FRIENDLY})
    if not words:
        return "something else"
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


def _history(parser: Lark, text: str, start: str, pos: int) -> list[Token]:
    """The tokens before the failure at ``pos`` (re-lexed: on errors only, so cost is moot)."""
    tokens: list[Token] = []
    interactive = parser.parse_interactive(text, start=start)
    try:
        for token in interactive.iter_parse():
            tokens.append(token)
    except UnexpectedInput:
        pass
    return [token for token in tokens if (token.end_pos or 0) <= pos and token.type != "$END"]


def _special_case(text: str, pos: int, token: Token | None, history: list[Token]) -> str | None:
    prev = history[-1] if history else None
    ahead = text[pos : pos + 2]
    ch = ahead[:1]
    if ahead == "==" or (prev is not None and str(prev) == "=" and ahead[:1] == "="):
        return "use '=' to compare values ('==' does not exist in DQL)"
    if ahead == "<>" or (prev is not None and str(prev) == "<" and ahead[:1] == ">"):
        return "use '!=' for 'not equal' ('<>' does not exist in DQL)"
    if ahead in ("&&", "||") or (prev is not None and str(prev) in ("&", "|") and ch == str(prev)):
        return "use 'and' / 'or' (or a single '&' / '|'); '&&' and '||' do not exist in DQL"
    if ch == "'":
        return 'strings use double quotes ("..."), not single quotes'
    if ch == '"' and token is None:
        return 'this string is never closed: add the closing "'
    if ch and ch in "([." and pos > 0 and text[pos - 1].isspace() and prev is not None:
        if ch == "(":
            return "no space is allowed between a function name and its '('"
        return f"no space is allowed before '{text[pos]}'"
    if ch and ch in "-!" and text[pos + 1 : pos + 2].isspace():
        return f"no space is allowed after '{text[pos]}' in a FROM source"
    if text.startswith("outgoing(", pos):
        return "write outgoing([[note]]) with no space before ')'"
    if _is_list_sort_quirk(history):
        word = str(history[-1])
        header = str(history[-2]).upper()
        return (
            f"'{word}' was read as the {header} expression (a field named {word}), as Dataview "
            f"does (issue #1569); give {header} an expression or a FROM/WHERE before {word.upper()}"
        )
    return None


def _is_list_sort_quirk(history: list[Token]) -> bool:
    """``LIST SORT x``: the header swallowed a command word as its (variable) expression."""
    if len(history) < 2 or history[-1].type != "VAR":
        return False
    header = history[-2] if history[-2].type != "WITHOUT_ID" or len(history) < 3 else history[-3]
    return header.type in ("LIST", "TABLE") and str(history[-1]).upper() in ("SORT", "TASK")


_COMMANDS = {"WHERE", "SORT", "FLATTEN", "LIMIT", "FROM"}


def _is_bare_command(token: Token, text: str) -> bool:
    """A command word with nothing after it (``TABLE x⏎SORT``), read as a variable."""
    end = token.end_pos if token.end_pos is not None else len(text)
    return token.type == "VAR" and str(token).upper() in _COMMANDS and not text[end:].strip()


def _match_examples(exc: UnexpectedInput, parser: Lark) -> str | None:
    try:
        label: str | None = exc.match_examples(
            lambda example: parser.parse(example, start="query"), _COMMON_MISTAKES
        )
    except (TypeError, AssertionError):  # Lark cannot compare some parser states; no label then
        return None
    return label


def to_syntax_error(exc: UnexpectedInput, text: str, parser: Lark, start: str) -> QuerySyntaxError:
    """The :class:`QuerySyntaxError` for a Lark failure on ``text`` parsed from rule ``start``."""
    token: Token | None = None
    if isinstance(exc, UnexpectedCharacters):
        pos, expected = exc.pos_in_stream, set(exc.allowed or ())
    elif isinstance(exc, UnexpectedToken):
        token = exc.token
        pos = token.start_pos if token.type != "$END" else len(text)
        expected = set(exc.accepts or exc.expected)
    elif isinstance(exc, UnexpectedEOF):
        pos, expected = len(text), set(exc.expected)
    else:  # pragma: no cover - Lark raises only the three above from parse()
        pos, expected = 0, set()
    pos = pos or 0
    history = _history(parser, text, start, pos)
    message = _special_case(text, pos, token, history)
    if message is None and token is not None and token.type != "$END":
        label = _match_examples(exc, parser)
        if label is not None and history and token.type in _OPERAND_START:
            message = label
    if message is None and token is not None and _is_bare_command(token, text):
        # "SORT" at the very end lexes as a field name; say what the user meant.
        message = f"expected a field or expression after {str(token).upper()}"
    if message is None and not history and start == "query":
        message = "a query starts with its type: LIST, TABLE, TASK or CALENDAR"
        if token is not None and token.type != "$END":
            message = f"unexpected {_token_text(token)}: {message}"
    if message is None:
        message = f"expected {_expected(expected)}"
        if history:
            message += f" after {_token_text(history[-1])}"
        if token is not None and token.type != "$END":
            message = f"unexpected {_token_text(token)}: {message}"
        elif token is None and pos < len(text):
            message = f"unexpected character {text[pos]!r}: {message}"
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    context = caret_context(text, line, column)
    return QuerySyntaxError(message, line=line, column=column, context=context)
