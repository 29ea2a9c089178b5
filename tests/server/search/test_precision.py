"""How the embedder picks bf16 or fp32: from the CPU's features, whatever the load (issue 15).

A timing probe once chose fp32 on a busy machine and made a vault take 3.3× longer to embed; the
choice now reads the CPU's flags and then checks that bf16 vectors agree with fp32 on the same
texts, which no amount of load changes.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from server.search.embedder import BF16_AGREEMENT, MiniLMEmbedder, cpu_has_bf16


def _torch(mkldnn: bool, bf16: bool) -> SimpleNamespace:
    return SimpleNamespace(
        backends=SimpleNamespace(mkldnn=SimpleNamespace(is_available=lambda: mkldnn)),
        ops=SimpleNamespace(mkldnn=SimpleNamespace(_is_mkldnn_bf16_supported=lambda: bf16)),
    )


@pytest.mark.parametrize(
    ("flags", "mkldnn", "bf16", "expected"),
    [
        ("fpu sse avx2 avx512f avx512_bf16", True, True, True),
        ("fpu sse avx2 amx_bf16 amx_tile", True, True, True),
        ("fpu sse avx2 avx512f", True, True, False),  # oneDNN would emulate: slower than fp32
        ("fpu avx512_bf16", True, False, False),
        ("fpu avx512_bf16", False, True, False),
        ("fpu avx512_bf16x", True, True, False),  # whole flags only
    ],
)
def test_bf16_is_chosen_from_the_cpu_flags(
    tmp_path: Path, flags: str, mkldnn: bool, bf16: bool, expected: bool
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    one = f"processor\t: 0\nflags\t\t: {flags}\n\n"
    cpuinfo.write_text(one + one.replace(": 0", ": 1"))
    assert cpu_has_bf16(_torch(mkldnn, bf16), str(cpuinfo)) is expected


def test_without_cpuinfo_onednn_decides(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    assert cpu_has_bf16(_torch(True, True), missing) is True
    assert cpu_has_bf16(_torch(True, False), missing) is False


def _spin(stop: object) -> None:
    while not stop.is_set():  # type: ignore[attr-defined]
        sum(i * i for i in range(10_000))


@pytest.mark.slow
def test_the_choice_is_the_same_on_a_busy_machine(real_embedder: MiniLMEmbedder) -> None:
    import torch

    expected = "bf16" if cpu_has_bf16(torch) else "fp32"
    assert real_embedder.precision == expected  # loaded on a quiet(er) machine
    stop = multiprocessing.Event()
    busy = [multiprocessing.Process(target=_spin, args=(stop,)) for _ in range(os.cpu_count() or 2)]
    for process in busy:
        process.start()
    try:
        loaded_busy = MiniLMEmbedder(query_runtime="torch")
    finally:
        stop.set()
        for process in busy:
            process.join(10)
    assert loaded_busy.precision == expected


def test_bf16_vectors_agree_with_fp32_per_chunk(real_embedder: MiniLMEmbedder) -> None:
    # Real chunk-like texts of many lengths: each bf16 vector within the bar of its fp32 twin.
    texts = [
        "Status Types",
        "- [ ] Take out the trash 🔁 every week 📅 2024-02-11 ⏳ 2024-02-10",
        "The `tasks-group-count` option hides the count of tasks in each group heading.",
        "Zettelkasten notes are atomic: one idea per note, linked to others by [[wikilinks]].",
        " ".join(["A long paragraph about quarterly planning, hiring and risk."] * 30),
        "東京は日本の首都です。",
    ]
    fp32 = real_embedder._raw(texts, False, 4)
    bf16 = real_embedder._raw(texts, True, 4)
    cosines = np.sum(fp32 * bf16, axis=1)
    assert float(cosines.min()) >= BF16_AGREEMENT, cosines
