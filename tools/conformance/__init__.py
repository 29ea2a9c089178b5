"""Running a Dataview conformance corpus (``dataview-conformance/1``) against VaultQL:
``runner`` (load, run, report), ``cases`` (one runner per case kind and mode), ``encoding`` (the
corpus's JSON encodings of AST nodes and values). ``python -m tools.conformance FILE [--json]``.
Not part of the installed package: only the tests and developers use it."""
