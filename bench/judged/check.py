"""Validate bench/judged/queries.json and print its counts per (vault, kind, split).

Usage: python bench/judged/check.py [--vaults DIR]

DIR defaults to $VAULTQL_VAULTS, else ../shared/vaults relative to the repository root. Checks: the
format tag and roots, unique ids, valid vault/kind/split values, non-empty `relevant` lists of
vault-relative `.md` paths that exist under DIR/<root>, grades (1 or 2) only for listed paths, and
that every `identifier`/`phrase` query occurs literally (ignoring case, whitespace runs and the
markdown marks ` ** ==) in each of its grade-2 notes. Exits 1 if anything fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FORMAT = "vaultql-judged/1"
VAULTS = ("vaultofknowledge", "tasks-demo")
KINDS = ("identifier", "phrase", "paraphrase", "conceptual")
SPLITS = ("train", "test")
FIELDS = {"id", "vault", "kind", "query", "relevant", "why", "split"}

Key = tuple[str, str, str]


def normalise(text: str) -> str:
    text = text.replace("`", "").replace("**", "").replace("==", "")
    return re.sub(r"\s+", " ", text).strip().lower()


def check(doc: dict[str, Any], vaults_dir: Path) -> tuple[list[str], Counter[Key]]:
    errors: list[str] = []
    counts: Counter[Key] = Counter()
    if doc.get("format") != FORMAT:
        errors.append(f"format is {doc.get('format')!r}, expected {FORMAT!r}")
    roots = doc.get("roots", {})
    for vault in VAULTS:
        if vault not in roots:
            errors.append(f"roots lacks {vault!r}")
        elif not (vaults_dir / roots[vault]).is_dir():
            errors.append(f"root {vaults_dir / roots[vault]} is not a directory")
    seen: set[str] = set()
    texts: dict[Path, str] = {}
    for n, q in enumerate(doc.get("queries", [])):
        qid = q.get("id", f"#{n}")
        where = f"{qid}:"
        missing = FIELDS - q.keys()
        if missing:
            errors.append(f"{where} missing fields {sorted(missing)}")
            continue
        if qid in seen:
            errors.append(f"{where} duplicate id")
        seen.add(qid)
        if q["vault"] not in VAULTS:
            errors.append(f"{where} bad vault {q['vault']!r}")
            continue
        if q["kind"] not in KINDS:
            errors.append(f"{where} bad kind {q['kind']!r}")
        if q["split"] not in SPLITS:
            errors.append(f"{where} bad split {q['split']!r}")
        if not isinstance(q["query"], str) or not q["query"].strip():
            errors.append(f"{where} empty query")
        if not isinstance(q["why"], str) or not q["why"].strip():
            errors.append(f"{where} empty why")
        relevant = q["relevant"]
        if not isinstance(relevant, list) or not relevant:
            errors.append(f"{where} relevant must be a non-empty list")
            continue
        if len(set(relevant)) != len(relevant):
            errors.append(f"{where} relevant lists a path twice")
        grade = q.get("grade", {})
        for path, g in grade.items():
            if path not in relevant:
                errors.append(f"{where} grade for unlisted path {path!r}")
            if g not in (1, 2):
                errors.append(f"{where} grade {g!r} for {path!r} is not 1 or 2")
        if grade and max(grade.values()) != 2:
            errors.append(f"{where} no grade-2 note")
        root = vaults_dir / roots.get(q["vault"], "?")
        for path in relevant:
            file = root / path
            if not path.endswith(".md") or path.startswith("/") or ".." in Path(path).parts:
                errors.append(f"{where} {path!r} is not a vault-relative .md path")
            elif not file.is_file():
                errors.append(f"{where} {file} does not exist")
            elif q["kind"] in ("identifier", "phrase") and grade.get(path, 2) == 2:
                if file not in texts:
                    texts[file] = normalise(file.read_text(encoding="utf-8"))
                if normalise(q["query"]) not in texts[file]:
                    errors.append(f"{where} {q['kind']} {q['query']!r} does not occur in {path!r}")
        counts[(q["vault"], q["kind"], q["split"])] += 1
    return errors, counts


def report(counts: Counter[Key]) -> None:
    print(f"{'vault':<17} {'kind':<11} {'train':>5} {'test':>5} {'all':>5}")
    for vault in VAULTS:
        for kind in KINDS:
            train, test = counts[(vault, kind, "train")], counts[(vault, kind, "test")]
            print(f"{vault:<17} {kind:<11} {train:>5} {test:>5} {train + test:>5}")
        train = sum(v for (va, _, s), v in counts.items() if va == vault and s == "train")
        test = sum(v for (va, _, s), v in counts.items() if va == vault and s == "test")
        print(f"{vault:<17} {'(all)':<11} {train:>5} {test:>5} {train + test:>5}")
    train = sum(v for (_, _, s), v in counts.items() if s == "train")
    test = sum(v for (_, _, s), v in counts.items() if s == "test")
    print(f"{'(all)':<17} {'(all)':<11} {train:>5} {test:>5} {train + test:>5}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("VAULTQL_VAULTS") or str(REPO.parent / "shared" / "vaults")
    parser.add_argument(
        "--vaults", default=default, help=f"folder holding the vault roots (default {default})"
    )
    parser.add_argument("--queries", default=str(HERE / "queries.json"))
    args = parser.parse_args()
    doc = json.loads(Path(args.queries).read_text(encoding="utf-8"))
    errors, counts = check(doc, Path(args.vaults))
    report(counts)
    for error in errors:
        print("ERROR", error, file=sys.stderr)
    print(f"{len(doc.get('queries', []))} queries, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
