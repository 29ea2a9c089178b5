"""A conformance corpus (``dataview-conformance/1``, SPEC §1) and its tagged value format.

:class:`Corpus` loads the file and builds the vaults its cases run against; :func:`encode` and
:func:`decode` translate between Dataview values and the tagged JSON (``$date``, ``$dur``,
``$link``…); :func:`same` compares two encoded values (numbers with a tiny tolerance; for
``$error`` only the fact of an error counts).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from query.values import Date, Duration, Function, Link, Widget
from tools.conformance.encoding import value_to_corpus


class Corpus:
    """A loaded corpus: cases, environment, and lazily built vaults."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != "dataview-conformance/1":
            raise ValueError(f"not a dataview-conformance/1 file (format={data.get('format')!r})")
        self.data = data
        environment = data.get("environment", {})
        self.local: tzinfo = ZoneInfo(environment.get("timezone", "UTC"))
        self.now_text: str = environment.get("now", "2024-03-17T13:45:30.250Z")
        self.settings: Mapping[str, Any] = environment.get("settings", {})
        self._vaults: dict[str, Any] = {}

    @classmethod
    def load(cls, text: str) -> Corpus:
        return cls(json.loads(text))

    @property
    def cases(self) -> list[dict[str, Any]]:
        return list(self.data.get("cases", []))

    def env(self) -> Any:
        from query.semantics import Env, Settings
        from query.temporal.dates import date_from_epoch_ms

        now = datetime.fromisoformat(self.now_text.replace("Z", "+00:00"))
        settings = Settings(
            render_null_as=self.settings.get("renderNullAs", "\\-"),
            default_date_format=self.settings.get("defaultDateFormat", "MMMM dd, yyyy"),
            default_datetime_format=self.settings.get(
                "defaultDateTimeFormat", "h:mm a - MMMM dd, yyyy"
            ),
            table_id_column_name=self.settings.get("tableIdColumnName", "File"),
            table_group_column_name=self.settings.get("tableGroupColumnName", "Group"),
        )
        return Env(
            now=date_from_epoch_ms(now.timestamp() * 1000, self.local),
            local=self.local,
            settings=settings,
        )

    def vault(self, name: str) -> Any:
        """The named vault as a :class:`query.index.VaultIndex`, built once."""
        if name not in self._vaults:
            from query.index import VaultIndex
            from server.vault.catalog import Catalog, SourceFile

            files = self.data["vaults"][name]["files"]
            sources = [
                SourceFile(
                    path=path,
                    data=spec["content"].encode("utf-8"),
                    ctime_ms=_iso_ms(spec["ctime"]),
                    mtime_ms=_iso_ms(spec["mtime"]),
                )
                for path, spec in files.items()
            ]
            catalog = Catalog.from_sources(sources, local=self.local)
            self._vaults[name] = VaultIndex(catalog.records(), catalog.resolver)
        return self._vaults[name]


def _iso_ms(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


# -- encoding and decoding of the tagged value format ---------------------------------------------


def encode(value: Any) -> Any:
    """A Dataview value in the corpus's tagged JSON encoding (the query package's encoder)."""
    try:
        return value_to_corpus(value)
    except TypeError:  # not a Dataview value: still comparable, never equal to an expectation
        return {"$unknown": repr(value)}


def decode(tagged: Any, local: tzinfo) -> Any:
    """The inverse of :func:`encode`, for case inputs and contexts."""
    from query.temporal.dates import parse_date

    if isinstance(tagged, list):
        return [decode(v, local) for v in tagged]
    if not isinstance(tagged, dict):
        return tagged
    if "$date" in tagged:
        text = tagged["$date"]
        if text == "invalid":
            return Date(datetime(1970, 1, 1, tzinfo=local), invalid=tagged.get("reason", "invalid"))
        parsed = parse_date(text, local)
        if parsed is None:
            raise ValueError(f"undecodable $date {text!r}")
        return parsed
    if "$dur" in tagged:
        return Duration(**tagged["$dur"])
    if "$link" in tagged:
        return Link(
            tagged["$link"],
            tagged.get("display"),
            tagged.get("subpath"),
            tagged.get("type", "file"),
            bool(tagged.get("embed", False)),
        )
    if "$number" in tagged:
        return float(tagged["$number"].replace("Infinity", "inf"))
    if "$object" in tagged:
        return {k: decode(v, local) for k, v in tagged["$object"].items()}
    if "$function" in tagged:
        return Function(lambda args: None)
    if "$widget" in tagged:
        kind = tagged["$widget"]
        data = {k: decode(v, local) for k, v in tagged.items() if k != "$widget"}
        return Widget(kind, data)
    return {k: decode(v, local) for k, v in tagged.items()}


def same(actual: Any, expected: Any) -> bool:
    """Structural equality of two encoded values (numbers compared with a tiny tolerance)."""
    if isinstance(expected, dict) and "$error" in expected:
        return isinstance(actual, dict) and "$error" in actual
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(map(same, actual, expected))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(
            same(actual[k], expected[k]) for k in expected
        )
    return bool(actual == expected)
