"""One runner per conformance case kind and mode (see ``tools.conformance.runner``).

A runner takes the corpus and one case and returns ``(passed, detail)``. It may raise; the caller
counts that as a failure with the exception as the detail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tools.conformance.corpus import Corpus, decode, encode, same

Case = Mapping[str, Any]
Runner = Callable[[Corpus, Case], tuple[bool, str]]


def _verdict(actual: Any, expected: Any) -> tuple[bool, str]:
    if same(actual, expected):
        return True, ""
    return False, f"expected {_short(expected)}, got {_short(actual)}"


def _short(value: Any, limit: int = 400) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- inline-field --------------------------------------------------------------------------------


def _inline_field(corpus: Corpus, case: Case) -> tuple[bool, str]:
    from server.vault import fields

    mode, text, local = case["mode"], case["input"], corpus.local
    actual: Any
    if mode == "value":
        actual = encode(fields.parse_inline_value(text, local))
    elif mode in ("extract-inline", "extract-task-inline"):
        extract = (
            fields.extract_inline_fields
            if mode == "extract-inline"
            else fields.extract_task_inline_fields
        )
        found = extract(text, local)
        actual = []
        for f, want in zip(found, case["expected"], strict=False):
            row = {k: getattr(f, _ATTR.get(k, k)) for k in want if k != "parsed"}
            row["parsed"] = encode(f.parsed)
            actual.append(row)
        if len(found) != len(case["expected"]):
            return False, f"expected {len(case['expected'])} fields, got {len(found)}: {found!r}"
    elif mode == "extract-full-line":
        found_one = fields.extract_full_line_field(text, local)
        actual = (
            None
            if found_one is None
            else {
                "key": found_one.key,
                "value": found_one.value,
                "parsed": encode(found_one.parsed),
            }
        )
    elif mode == "canonicalize-key":
        actual = fields.canonicalize_key(text)
    elif mode == "normalize-header":
        actual = fields.normalize_header(text)
    elif mode == "extract-tags":
        actual = list(fields.extract_item_tags(text))
    elif mode == "frontmatter-tags":
        actual = list(fields.frontmatter_tags(text))
    elif mode == "frontmatter-aliases":
        actual = list(fields.frontmatter_aliases(text))
    elif mode == "frontmatter-value":
        actual = encode(fields.frontmatter_value(text, local))
    elif mode == "file-title":
        actual = fields.file_title(text)
    elif mode == "file-folder":
        actual = fields.file_folder(text)
    elif mode == "file-day-from-name":
        actual = encode(fields.file_day_from_name(text, local))
    elif mode == "set-inline-field":
        actual = fields.set_inline_field(text["line"], text["key"], text["value"])
    elif mode == "set-emoji-completion":
        actual = fields.set_emoji_completion(text["line"], text["value"])
    else:
        return False, f"unknown inline-field mode {mode!r}"
    return _verdict(actual, case["expected"])


_ATTR = {"startValue": "start_value"}


# -- expressions ---------------------------------------------------------------------------------


def _expression(corpus: Corpus, case: Case) -> tuple[bool, str]:
    from query.errors import QueryError

    expected = case["expected"]
    if "rule" in case:
        from query.parsing.parser import parse_rule

        try:
            actual = encode(parse_rule(case["rule"], case["input"], local=corpus.local))
        except QueryError as exc:
            actual = {"$error": str(exc)}
        return _verdict(actual, expected)

    from query.compile import compile_expression, make_scope
    from query.parsing.parser import parse_expression

    context = case.get("context", {})
    row = decode(context.get("vars", {}), corpus.local)
    this = decode(context.get("this", {}), corpus.local)
    pages = {path: decode(page, corpus.local) for path, page in context.get("pages", {}).items()}
    if "ast" in case:
        from tools.conformance.encoding import ast_to_corpus

        tree = ast_to_corpus(parse_expression(case["input"]))
        if not same(tree, case["ast"]):
            return False, f"ast: expected {_short(case['ast'])}, got {_short(tree)}"
    try:
        compiled = compile_expression(parse_expression(case["input"]))
        scope = make_scope(
            env=corpus.env(),
            this=this,
            resolve_link=lambda link: pages.get(link.path),
            normalize_link=lambda path: path,
        )
        actual = encode(compiled(row, scope))
    except QueryError as exc:
        actual = {"$error": str(exc)}
    return _verdict(actual, expected)


def _parse_error(corpus: Corpus, case: Case) -> tuple[bool, str]:
    from query.errors import QuerySyntaxError
    from query.parsing.parser import parse_expression, parse_query, parse_rule, parse_source

    parser = case.get("parser", "query")
    try:
        if "rule" in case:
            parse_rule(case["rule"], case["input"], local=corpus.local)
        elif parser == "expression":
            parse_expression(case["input"])
        elif parser == "source":
            parse_source(case["input"])
        else:
            parse_query(case["input"])
    except QuerySyntaxError:
        return True, ""
    return False, "parsed, but Dataview rejects it"


# -- queries and sources -------------------------------------------------------------------------


def _query_parse(corpus: Corpus, case: Case) -> tuple[bool, str]:
    from query.parsing.parser import parse_query
    from tools.conformance.encoding import ast_to_corpus

    return _verdict(
        {
            "ast": ast_to_corpus(
                parse_query(case["input"]), now=corpus.env().now, local=corpus.local
            )
        },
        case["expected"],
    )


def _source_parse(corpus: Corpus, case: Case) -> tuple[bool, str]:
    from query.parsing.parser import parse_source
    from tools.conformance.encoding import ast_to_corpus

    return _verdict({"ast": ast_to_corpus(parse_source(case["input"]))}, case["expected"])


def _source_resolve(corpus: Corpus, case: Case) -> tuple[bool, str]:
    from query.engine import resolve_source
    from query.errors import QueryError
    from query.parsing.parser import parse_source

    index = corpus.vault(case.get("vault", "test-vault"))
    origin = case.get("origin_file") or corpus.data["vaults"][case.get("vault", "test-vault")].get(
        "origin_file"
    )
    try:
        actual: Any = {"paths": sorted(resolve_source(parse_source(case["input"]), index, origin))}
    except QueryError as exc:
        actual = {"error": str(exc)}
    if "error" in case["expected"]:
        return ("error" in actual), "" if "error" in actual else f"expected an error, got {actual}"
    return _verdict(actual, case["expected"])


def _query_execute(corpus: Corpus, case: Case) -> tuple[bool, str]:
    from query.engine import execute
    from query.errors import QueryError

    vault_name = case.get("vault", "test-vault")
    index = corpus.vault(vault_name)
    origin = case.get("origin_file") or corpus.data["vaults"][vault_name].get("origin_file")
    expected = case["expected"]
    try:
        result = execute(case["input"], index, origin=origin, env=corpus.env())
    except QueryError as exc:
        if "error" in expected:
            return True, ""
        return False, f"query failed: {exc}"
    if "error" in expected:
        return False, f"expected the error {expected['error']!r}, got a {result.type} result"
    return _verdict(_encode_result(result), expected)


def _encode_result(result: Any) -> dict[str, Any]:
    from query.results import TaskGroup

    if result.type == "list":
        return {"items": [encode(v) for v in result.rows]}
    if result.type == "table":
        return {"headers": result.headers, "rows": [[encode(v) for v in r] for r in result.rows]}
    if result.type == "calendar":
        return {"entries": [{"date": encode(d), "link": encode(link)} for d, link in result.rows]}

    def task(item: Any) -> Any:
        if isinstance(item, TaskGroup):
            return {"key": encode(item.key), "rows": [task(r) for r in item.rows]}
        return {k: encode(item.get(k)) for k in ("path", "line", "text", "task", "status")}

    return {"tasks": [task(t) for t in result.rows]}


_RUNNERS: dict[tuple[str, str | None], Runner] = {
    ("expression", None): _expression,
    ("parse-error", None): _parse_error,
    ("query", "parse"): _query_parse,
    ("query", "execute"): _query_execute,
    ("source", "parse"): _source_parse,
    ("source", "resolve"): _source_resolve,
}


def runner_for(kind: str, mode: str | None) -> Runner | None:
    if kind == "inline-field":
        return _inline_field
    return _RUNNERS.get((kind, mode))
