"""Obsidian Bases, headless: ``.base`` files and ``base`` code blocks evaluated the app's way.

- :mod:`query.bases.parser` — the expression language (Lark), positioned syntax errors;
- :mod:`query.bases.compile` — expressions → closures; :mod:`~query.bases.functions`,
  :mod:`~query.bases.methods`, :mod:`~query.bases.members` — the library per type;
- :mod:`query.bases.semantics`, :mod:`~query.bases.moment`, :mod:`~query.bases.values` — values,
  equality, ordering, Moment.js dates and durations;
- :mod:`query.bases.vault` — every file of one index revision as Bases sees it;
- :mod:`query.bases.config` — a base's YAML (already loaded) → views, filters, formulas;
- :mod:`query.bases.view` — one view evaluated: filters (pushed down to the index where they
  can be), formulas, sort, limit, groups, summaries; :mod:`~query.bases.export` — JSON cells,
  CSV/TSV/Markdown/paths.

Pure like the rest of ``query``: no I/O, no clock; the server passes the vault, "now" and
``stat``.
"""
