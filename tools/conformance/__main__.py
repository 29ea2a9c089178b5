"""``python -m tools.conformance FILE [--json]``: run a corpus, print the report.

The file's ``format`` picks the runner: a Dataview corpus (``dataview-conformance/1``) or the
Bases live-app corpus (``vaultql-bases-oracle/1``, reported per category, known divergences
apart: :mod:`tools.conformance.bases`).

Exit codes: 0 every case passed, 1 some failed, 2 bad usage."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.conformance.corpus import Corpus
from tools.conformance.runner import format_report, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.conformance",
        description="run a Dataview or Bases conformance corpus and report the results",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    if '"vaultql-bases-oracle/1"' in text[:200]:
        from tools.conformance.bases import format_bases_report, run_oracle

        bases = run_oracle(args.file)
        if args.json:
            print(json.dumps(bases.to_json(), ensure_ascii=False, indent=2))
        else:
            print(format_bases_report(bases))
        return 0 if bases.passed == bases.total else 1
    corpus = Corpus.load(text)
    report = run(corpus)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0 if report.passed == report.total else 1


if __name__ == "__main__":
    sys.exit(main())
