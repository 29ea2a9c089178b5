"""Search quality on real vaults, as a test: the judged test split of bench/judged (issue 15).

The same measure as ``bench/bench_vault_search.py`` (MRR@10 per mode, identifiers at rank 1) on
the 48 test queries over vaultofknowledge and Tasks-Demo, with the real model. Thresholds sit just
under the values measured when the weights were chosen (README "Search"), so a change to the
analyzer, the fields, the chunk text or fusion that loses quality fails here.
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType
from typing import Any

import pytest

from server.search.embedder import MiniLMEmbedder
from server.search.search_service import SearchService, vault_text_reader
from server.vault.catalog import Catalog
from tests.conftest import ROOT, SHARED, require_shared

pytestmark = pytest.mark.slow

# Measured on the test split (README "Search"): hybrid 0.892, keyword 0.750, semantic 0.791.
MIN_MRR = {"hybrid": 0.87, "keyword": 0.73, "semantic": 0.77}


def _bench() -> ModuleType:
    path = ROOT / "bench" / "bench_vault_search.py"
    spec = importlib.util.spec_from_file_location("bench_vault_search", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def measured(real_embedder: MiniLMEmbedder, tmp_path_factory: pytest.TempPathFactory) -> Any:
    bench = _bench()
    judged = bench.load_judged()
    services: dict[str, SearchService] = {}
    for name, root in judged["roots"].items():
        vault = require_shared(SHARED / "vaults" / root)
        service = SearchService(real_embedder, index_dir=tmp_path_factory.mktemp(name))
        service.index_records(Catalog.scan(vault).records(), vault_text_reader(vault), full=True)
        while service.embed_pending_batch():
            pass
        services[name] = service
    test = [q for q in judged["queries"] if q["split"] == "test"]
    yield bench.measure(services, test), bench.misses(services, test, "hybrid")
    for service in services.values():
        service.close()


@pytest.mark.parametrize("mode", sorted(MIN_MRR))
def test_mrr_on_the_judged_test_split(measured: Any, mode: str) -> None:
    result, misses = measured
    assert result[mode]["all"]["mrr"] >= MIN_MRR[mode], "\n".join(misses)


def test_every_identifier_query_answers_first(measured: Any) -> None:
    result, misses = measured
    assert result["hybrid"]["identifier"]["at1"] == 1.0, "\n".join(misses)
    assert result["keyword"]["identifier"]["at1"] == 1.0


def test_the_judged_set_is_well_formed() -> None:
    # Every path exists and every identifier/phrase occurs in its answer (bench/judged/check.py).
    path = ROOT / "bench" / "judged" / "check.py"
    spec = importlib.util.spec_from_file_location("judged_check", path)
    assert spec is not None and spec.loader is not None
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    doc = json.loads((ROOT / "bench" / "judged" / "queries.json").read_text(encoding="utf-8"))
    errors, counts = check.check(doc, require_shared(SHARED / "vaults"))
    assert errors == []
    assert sum(counts.values()) >= 80
    assert {kind for _, kind, _ in counts} == {"identifier", "phrase", "paraphrase", "conceptual"}
