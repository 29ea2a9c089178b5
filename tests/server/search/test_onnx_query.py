"""The query path on ONNX Runtime: the real model, exported once, agreeing with PyTorch."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from server.search.embedder import MiniLMEmbedder, model_path
from server.search.onnx_query import export_key, load_query_session

ROOT = Path(__file__).resolve().parents[3]
QUERIES = ["QZX-4471", "how do cells make energy", "Kätzchen auf dem Fensterbrett", "東京"]


def test_the_real_embedder_answers_queries_on_onnx_runtime(real_embedder: MiniLMEmbedder) -> None:
    # onnxruntime is a dependency of the search extra, and the probe found it agreeing and faster
    # on these machines; if this fails, /status shows queries fell back to PyTorch.
    assert real_embedder.query_runtime == "onnxruntime"
    for text in QUERIES:
        onnx = real_embedder.encode_query(text)
        fp32 = real_embedder._torch_query(text, bf16=False)
        assert onnx.dtype == np.float32 and onnx.shape == (real_embedder.dim,)
        assert abs(float(np.linalg.norm(onnx)) - 1.0) < 1e-3
        assert float(onnx @ fp32) > 0.9999, text  # the same model, not an approximation of it


def test_long_queries_are_truncated_to_the_model_window(real_embedder: MiniLMEmbedder) -> None:
    long = "mitochondria " * 1000  # 1000 tokens: the model's window is 256
    fp32 = real_embedder._torch_query(long, bf16=False)
    assert float(real_embedder.encode_query(long) @ fp32) > 0.9999


@pytest.mark.slow
def test_the_export_is_made_once_and_reused(real_embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    model, tokenizer = real_embedder._model, real_embedder._tokenizer
    stale = tmp_path / "minilm-query-0123456789abcdef.onnx"  # another torch version's export
    stale.write_bytes(b"old graph")
    first = load_query_session(model, tokenizer, 256, model_path(), tmp_path)
    # No scratch file left, and the stale export is gone.
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]
    stamp = first.path.stat().st_mtime_ns
    second = load_query_session(model, tokenizer, 256, model_path(), tmp_path)
    assert second.path == first.path and second.path.stat().st_mtime_ns == stamp
    assert float(first.encode("cells") @ second.encode("cells")) > 0.99999


def test_the_export_key_follows_the_model_files_and_torch(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    key = export_key(str(tmp_path), "2.13.0")
    assert key == export_key(str(tmp_path), "2.13.0")
    assert key != export_key(str(tmp_path), "2.14.0")
    (tmp_path / "model.safetensors").write_bytes(b"other weights")
    assert key != export_key(str(tmp_path), "2.13.0")


def test_a_failed_export_falls_back_to_pytorch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    with caplog.at_level(logging.WARNING, logger="vaultql.search"):
        embedder = MiniLMEmbedder(model_cache=blocker)
    assert embedder.query_runtime == "torch"
    assert "queries stay on PyTorch" in caplog.text
    assert list(tmp_path.iterdir()) == [blocker] and blocker.read_text().startswith("a file")
    vector = embedder.encode_query("cells make energy")
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
    with pytest.raises(OSError):  # asked for ONNX explicitly: the failure is not hidden
        MiniLMEmbedder(model_cache=blocker, query_runtime="onnx")


def test_queries_can_stay_on_pytorch(real_embedder: MiniLMEmbedder) -> None:
    embedder = MiniLMEmbedder(query_runtime="torch", precision=real_embedder.precision)
    assert embedder.query_runtime == "torch"
    text = "neutron stars collapse"
    assert float(embedder.encode_query(text) @ real_embedder.encode_query(text)) > 0.998


@pytest.mark.slow
def test_onnx_runtime_telemetry_is_off(tmp_path: Path) -> None:
    # Official onnxruntime wheels collect telemetry on Linux too (a device id and an event cache
    # under the user cache directory, then an upload); VaultQL opts out before the runtime starts.
    # A fresh process: the runtime latches the decision at its first use.
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from server.search.embedder import MiniLMEmbedder\n"
        "embedder = MiniLMEmbedder(query_runtime='onnx', model_cache=Path(sys.argv[1]))\n"
        "embedder.encode_query('private thoughts')\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "models")], env=env, check=True, cwd=ROOT
    )
    left = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")}
    assert not any("Microsoft" in p or "onnxruntime" in p.lower() for p in left), left
    assert any(p.endswith(".onnx") for p in left)


def test_concurrent_queries_and_bulk_encoding(real_embedder: MiniLMEmbedder) -> None:
    # Search requests run in a thread pool while the embedding worker encodes in its own thread;
    # both share the model's fast tokenizer, which changes its truncation and padding state on
    # each call (some tokenizers releases raised "RuntimeError: Already borrowed" under this).
    texts = [f"query number {i} about cells and {'energy ' * (i % 7)}" for i in range(24)]
    expected = {text: real_embedder.encode_query(text) for text in texts}
    errors: list[BaseException] = []
    results: dict[str, np.ndarray] = {}

    def query(chunk: list[str]) -> None:
        try:
            for text in chunk:
                results[text] = real_embedder.encode_query(text)
        except BaseException as exc:
            errors.append(exc)

    def bulk() -> None:
        try:
            for _ in range(3):
                real_embedder.encode([f"a longer passage {i} " * 20 for i in range(16)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=query, args=(texts[i::6],)) for i in range(6)]
    threads.append(threading.Thread(target=bulk))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    for text in texts:
        assert float(results[text] @ expected[text]) > 0.9999
