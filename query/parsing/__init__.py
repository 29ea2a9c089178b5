"""DQL text → ``query.ast``: the grammar (``grammar.lark``), the Lark parser (``parser``), parse
trees to AST nodes (``tree``) and Lark's failures to positioned syntax errors (``syntax_errors``).
No Lark type leaves this package."""

from query.parsing.parser import parse_expression, parse_query, parse_rule, parse_source

__all__ = ["parse_expression", "parse_query", "parse_rule", "parse_source"]
