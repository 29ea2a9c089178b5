"""Hostile queries against a real server (issue 12, findings 1–5): whatever a query does, the
server keeps answering ``/health`` and other queries, the query ends in a 422 ``limit``, and
the process stays within its memory budget.

Each test starts ``vaultql serve`` on a copy of the demo vault in a subprocess
(``tests/server/served.py``) and polls ``/health`` from a thread while the attack runs. Bounds
are generous (a shared, noisy machine): ``/health`` under 1 s where it answers in about a
millisecond when idle.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.server.served import HealthProbe, Served, served

DEMO = ROOT / "fixtures" / "demo-vault"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path_factory.mktemp("hostile") / "vault"))


@pytest.fixture(scope="module")
def server(vault: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server with a short time limit (3 s), so the attacks below end quickly."""
    with served(vault, tmp_path_factory.mktemp("short"), "--query-timeout", "3") as handle:
        yield handle


def limit_answer(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 422, response.text[:300]
    error: dict[str, object] = response.json()["error"]
    assert error["code"] == "limit", error
    return error


def normal_query_latency(handle: Served) -> float:
    start = time.perf_counter()
    response = handle.query('TABLE file.name FROM "Projects" LIMIT 3', timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert len(response.json()["rows"]) == 3
    return time.perf_counter() - start


class Attack:
    """A query posted from a thread; ``answer`` and ``seconds`` once it returns."""

    def __init__(self, handle: Served, text: str) -> None:
        self.handle = handle
        self.text = text
        self.answer: httpx.Response | None = None
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.perf_counter()
        self.answer = self.handle.query(self.text, timeout=120)
        self.seconds = time.perf_counter() - start

    def __enter__(self) -> Attack:
        self._thread.start()
        time.sleep(0.3)  # let it start working
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(120)
        assert not self._thread.is_alive(), "the attack never returned"


# -- 1: a catastrophic regex, at the default time limit of 10 s -------------------------------


@pytest.mark.slow
def test_a_catastrophic_regex_ends_at_the_time_limit_and_nothing_waits_for_it(
    vault: Path, tmp_path: Path
) -> None:
    attack_text = f'TABLE regextest("(a|aa)+$", "{"a" * 60}!") FROM "" LIMIT 1'
    with served(vault, tmp_path) as handle, HealthProbe(handle.url) as probe:
        with Attack(handle, attack_text) as attack:
            others = [normal_query_latency(handle) for _ in range(3)]
        limit_answer(attack.answer)  # type: ignore[arg-type]
        # The regex engine counts the thread's CPU time: on a quiet machine the answer comes
        # within a second of the limit, later when other processes take the CPU.
        assert 9.5 < attack.seconds < 16, attack.seconds
        assert max(others) < 2, others
        probe.assert_responsive(1.0)
        assert handle.alive()


# -- 2: memory bombs --------------------------------------------------------------------------

BOMBS = [
    'TABLE WITHOUT ID "a" * 500000000 FROM "" LIMIT 6',
    'TABLE WITHOUT ID padleft("x", 536870888, "€") FROM "" LIMIT 6',
    'TABLE WITHOUT ID reduce(split("a" * 30, ""), (acc, x) => acc + acc) FROM "" LIMIT 6',
    f'TABLE WITHOUT ID regexreplace("{"a" * 20000}", "a", "$`") FROM "" LIMIT 6',
    'TABLE WITHOUT ID "a" * 16000000 FROM ""',  # under the size cap: the memory budget stops it
    'TABLE WITHOUT ID join(map(split("a" * 2000, ""), (x) => "b" * 16000000)) FROM ""',
]


@pytest.mark.slow
def test_memory_bombs_end_in_a_limit_and_the_process_stays_in_its_budget(
    vault: Path, tmp_path: Path
) -> None:
    budget = 256
    with (
        served(vault, tmp_path, "--query-memory", str(budget)) as handle,
        HealthProbe(handle.url) as probe,
    ):
        before = handle.rss_kb() * 1024
        for text in BOMBS:
            start = time.perf_counter()
            limit_answer(handle.query(text))
            assert time.perf_counter() - start < 8, text
            assert handle.alive(), handle.stderr_text()
        grown = handle.rss_peak_kb() * 1024 - before
        # One value may overshoot the last reading by at most the size cap (16 M characters,
        # up to 64 MB), and the result being encoded is counted too.
        assert grown < (budget + 160) * MB, f"peak grew by {grown / MB:.0f} MB"
        probe.assert_responsive(1.0)
        assert normal_query_latency(handle) < 2


# -- 3 and 4: FLATTEN explosions and slow rows ------------------------------------------------

EXPLOSIONS = [
    'TABLE x FROM "" FLATTEN split("a" * 1000000, "") AS x LIMIT 5',
    'TABLE x FROM "" FLATTEN split("a" * 2000000, "") AS x LIMIT 5',
    'TABLE length(rows) FROM "" FLATTEN split("a" * 500000, "") AS x GROUP BY x',
    'TABLE x FROM "" FLATTEN split("a" * 1000, "") AS x FLATTEN split("b" * 1000, "") AS y',
    'TABLE WITHOUT ID length(sort(split("a" * 3000000, ""))) FROM ""',
    'TABLE WITHOUT ID length(sort(split(padleft("", 1000000, "ab"), ""))) FROM ""',
    'TABLE WITHOUT ID length(unique(map(split("a" * 1000000, ""), (x) => x + x))) FROM ""',
]


@pytest.mark.slow
@pytest.mark.parametrize("text", EXPLOSIONS)
def test_explosions_and_slow_rows_end_within_about_a_second_of_the_limit(
    server: Served, text: str
) -> None:
    with HealthProbe(server.url) as probe:
        with Attack(server, text) as attack:
            other = normal_query_latency(server)
        limit_answer(attack.answer)  # type: ignore[arg-type]
        assert attack.seconds < 3 + 2.5, attack.seconds
        assert other < 2
    probe.assert_responsive(1.0)
    assert server.alive()


# -- 5: deep nesting --------------------------------------------------------------------------

DEEP = [
    "TABLE " + "(" * 500 + "1" + ")" * 500,
    "TABLE " + "[" * 1000 + "]" * 1000,
    "TABLE " + " + ".join(["1"] * 600),
]


@pytest.mark.parametrize("text", DEEP, ids=["parentheses", "brackets", "plus chain"])
def test_deep_nesting_is_a_positioned_limit_error_not_a_500(server: Served, text: str) -> None:
    error = limit_answer(server.query(text))
    assert error["line"] == 1 and isinstance(error["column"], int)
    assert "levels deep" in str(error["message"])
    assert len(str(error["context"])) < 400


# -- the fuzz test ----------------------------------------------------------------------------

CATASTROPHIC = [
    "(a|aa)+$",
    "(a|a)+$",
    "(x+x+)+y",
    "(.*?,){30}z",
    "^(a+)+b",
    "(\\\\w+\\\\s?)+$",
    "([a-z]+)*[0-9]",
    "(a*)*b",
]
HUGE = ['"a" * 20000000', 'padleft("", 99999999)', 'split("a" * 1100000, "")', '"ab" * 9000000']


def hostile_query(rng: random.Random) -> str:
    """One generated hostile query: huge values, nesting, explosive FLATTEN / GROUP BY, or a
    catastrophic regex, wrapped in a random command shape."""
    kind = rng.choice(["regex", "huge", "nest", "flatten", "group", "lambda"])
    if kind == "regex":
        subject = f'"{rng.choice("ax") * rng.randint(20, 80)}!"'
        expr = f'{rng.choice(["regextest", "regexmatch"])}("{rng.choice(CATASTROPHIC)}", {subject})'
    elif kind == "huge":
        expr = f"length({rng.choice(HUGE)} + {rng.choice(HUGE)})"
    elif kind == "nest":
        depth = rng.randint(150, 1200)
        opener, closer = rng.choice([("(", ")"), ("[", "]"), ("length(", ")"), ("{a: ", "}")])
        expr = opener * depth + "1" + closer * depth
    elif kind == "lambda":
        n = rng.randint(10, 40)
        expr = f'reduce(split("a" * {n}, ""), (acc, x) => acc + acc + acc)'
    else:
        expr = "x"
    if kind == "flatten":
        size = rng.choice([300000, 1000000, 5000000])
        return f'TABLE x FROM "" FLATTEN split("a" * {size}, "") AS x LIMIT 5'
    if kind == "group":
        size = rng.choice([200000, 800000])
        return f'TABLE length(rows) FLATTEN split("a" * {size}, "") AS x GROUP BY x + file.name'
    shape = rng.choice(["TABLE WITHOUT ID {e}", "LIST WHERE {e}", "TABLE file.name SORT {e}"])
    return shape.format(e=expr)


@pytest.mark.slow
def test_fuzzed_hostile_queries_never_take_the_server_down(vault: Path, tmp_path: Path) -> None:
    rng = random.Random(12)
    with (
        served(vault, tmp_path, "--query-timeout", "1") as handle,
        HealthProbe(handle.url) as probe,
        handle.client(timeout=60) as client,
    ):
        for _ in range(24):
            text = hostile_query(rng)
            start = time.perf_counter()
            response = client.post("/api/v1/query", json={"query": text})
            took = time.perf_counter() - start
            assert response.status_code in (200, 400, 422), (text[:120], response.text[:300])
            if response.status_code != 200:
                assert set(response.json()["error"]) >= {"code", "message"}
            # Within the 1 s limit plus slack for a busy machine (4 s was seen beside a test run
            # on 2 cores); a query that escaped the limit runs for minutes or exhausts memory.
            assert took < 1 + 9, (text[:120], took)
            assert handle.alive(), text[:120]
        probe.assert_responsive(1.0)
        assert client.get("/api/v1/health").json()["status"] == "ok"
        assert "Traceback" not in handle.stderr_text()
