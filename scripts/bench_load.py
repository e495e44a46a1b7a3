"""Capacity benchmark: simulated candidates over Streamlit's websocket protocol, no browser.

    python scripts/bench_load.py [--quick]        (make bench-load)
    python scripts/bench_load.py --soak 500       (make bench-load SOAK=500): memory
    python scripts/bench_load.py --floor          (make bench-load FLOOR=1): the app's
        step 1 against a bare page of the same shape (scripts/bench_bare_step.py)

Each simulated candidate does what a browser does: GET / (the XSRF cookie, and HAProxy's
sticky cookie), opens `/_stcore/stream` with the same Origin and the XSRF token as the
second subprotocol, and sends `BackMsg.rerun_script` with the widget states. Widget ids
and labels come back in `ForwardMsg.delta.new_element.<type>`; `script_finished` ends a
run. The candidate consents, starts, types an answer into every text field of every
step (a think time between interactions) and opens My plan.

One interaction's latency is from sending the BackMsg to `script_finished`. CPU per
interaction is the app processes' CPU time over the level divided by interactions; the
driver's own CPU per interaction is shown beside it, because it runs on the same two
cores (memory is the soak's job: `--soak`). Three setups: one
process on SQLite, one on PostgreSQL, two behind HAProxy on PostgreSQL. Concurrency
rises level by level; the table shows the highest level whose p95 stays ≤ 250 ms.

Loopback only, bounded (levels and seconds are fixed), stops by itself. The driver runs
on the same cores as the servers, so absolute numbers are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from cluster import Cluster  # noqa: E402
from pg_local import LocalPostgres, free_port  # noqa: E402

from core.consent import STORE_ANSWERS  # noqa: E402

TARGET_P95_MS = 250.0
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
STEP_PAGES = ("feedback", "connections", "options", "approach", "learning")
CONSENT_LABEL = STORE_ANSWERS.text


@dataclass
class Widget:
    kind: str
    id: str
    label: str


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    journeys: int = 0


_addresses = itertools.count(1)


def _documentation_address() -> str:
    """A distinct client address for each simulated visitor (2001:db8::/32 is reserved for
    documentation; never a real host): the app's limits count per client, and every
    simulated visitor really connects from 127.0.0.1."""
    return f"2001:db8:{next(_addresses):x}::1"


class Candidate:
    def __init__(self, base: str, think: tuple[float, float], results: Results) -> None:
        self.address = _documentation_address()
        self.base = base
        self.think = think
        self.results = results
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, BackMsg] = {}
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.page_name = ""

    def _cookies(self) -> str:
        request = urllib.request.Request(self.base + "/", headers=self._forwarded())
        with urllib.request.urlopen(request, timeout=10) as response:
            cookies = response.headers.get_all("Set-Cookie") or []
        return "; ".join(c.split(";", 1)[0] for c in cookies)

    def _forwarded(self) -> dict[str, str]:
        # Read by the app process as the client's address, as a local proxy would send it.
        return {"X-Forwarded-For": self.address}

    async def connect(self) -> None:
        """Open the websocket the way a browser does: `/` first for the XSRF cookie (and
        HAProxy's sticky one), then `/_stcore/stream` with the same Origin and the token."""
        cookie_header = await asyncio.to_thread(self._cookies)
        xsrf = dict(c.split("=", 1) for c in cookie_header.split("; ") if "=" in c).get(
            "_streamlit_xsrf", ""
        )
        self.ws = await websockets.connect(
            self.base.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            additional_headers={
                "Origin": self.base,
                "Cookie": cookie_header,
                **self._forwarded(),
            },
            max_size=None,
        )

    async def run(self, stop_at: float, hold: asyncio.Event | None = None) -> None:
        """One whole journey; with `hold`, the websocket stays open until it is set."""
        await self.connect()
        async with self.ws:
            await self.rerun(measure=False, query="utm_source=bench")
            await self.interact_checkbox()
            await self.click("Start my reflection")
            await self.answer_fields(stop_at)
            for page in STEP_PAGES:
                if time.monotonic() > stop_at:
                    return
                await self.open(page)
                await self.answer_fields(stop_at)
            await self.open("plan")
            self.results.journeys += 1
            if hold is not None:
                await hold.wait()

    async def rerun(self, *, measure: bool = True, query: str = "", trigger: str = "") -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_script_hash = self.page_hash
        state.page_name = self.page_name
        for value in self.states.values():
            state.widget_states.widgets.add().CopyFrom(value)
        if trigger:
            w = state.widget_states.widgets.add()
            w.id = trigger
            w.trigger_value = True
        self.widgets = {}
        began = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=60)
            fmsg = ForwardMsg()
            fmsg.ParseFromString(raw)
            kind = fmsg.WhichOneof("type")
            if kind == "delta" and fmsg.delta.WhichOneof("type") == "new_element":
                element = fmsg.delta.new_element
                etype = element.WhichOneof("type")
                inner = getattr(element, etype) if etype else None
                if inner is not None and hasattr(inner, "id") and hasattr(inner, "label"):
                    self.widgets[inner.id] = Widget(etype, inner.id, inner.label)
            elif kind == "navigation":
                for page in fmsg.navigation.app_pages:
                    self.pages[page.url_pathname] = page.page_script_hash
                self.page_hash = fmsg.navigation.page_script_hash
            elif kind == "script_finished" and fmsg.script_finished != EARLY_FOR_RERUN:
                break  # a run that ends in st.rerun() is followed by the real one
        if measure:
            self.results.latencies.append(time.perf_counter() - began)

    async def pause(self) -> None:
        await asyncio.sleep(random.uniform(*self.think))

    async def interact_checkbox(self) -> None:
        for w in list(self.widgets.values()):
            if w.kind == "checkbox" and w.label == CONSENT_LABEL:
                state = BackMsg().rerun_script.widget_states.widgets.add()
                state.id, state.bool_value = w.id, True
                self.states[w.id] = state
                await self.pause()
                await self.rerun()
                return

    async def click(self, label: str) -> None:
        for w in list(self.widgets.values()):
            if w.kind == "button" and w.label == label:
                await self.pause()
                await self.rerun(trigger=w.id)
                return

    async def answer_fields(self, stop_at: float) -> None:
        fields = [w for w in self.widgets.values() if w.kind in ("text_input", "text_area")]
        for w in fields:
            if time.monotonic() > stop_at:
                return
            state = BackMsg().rerun_script.widget_states.widgets.add()
            state.id, state.string_value = w.id, f"Bench answer {random.randint(1, 10**6)}"
            self.states[w.id] = state
            await self.pause()
            await self.rerun()

    async def open(self, url_path: str) -> None:
        self.page_hash = self.pages.get(url_path, "")
        self.page_name = url_path
        self.states = {}
        await self.pause()
        await self.rerun()


async def _user(base: str, stop_at: float, think, results: Results, start_delay: float) -> None:
    await asyncio.sleep(start_delay)
    while time.monotonic() < stop_at:
        try:
            await Candidate(base, think, results).run(stop_at)
        except Exception:  # a failed journey counts; the benchmark carries on
            results.errors += 1
            await asyncio.sleep(0.5)


def _proc_stats(pids: list[int]) -> tuple[float, int]:
    """CPU seconds and RSS bytes of these processes (and their children)."""
    cpu, rss = 0.0, 0
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick
            rss += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError):
            pass
    return cpu, rss


def _driver_cpu() -> float:
    """CPU seconds this driver has used: it shares the cores with the app it measures."""
    return time.process_time()


def run_level(base: str, pids: list[int], users: int, seconds: float, think) -> dict:
    results = Results()
    cpu0 = _proc_stats(pids)[0]
    driver0 = _driver_cpu()
    stop_at = time.monotonic() + seconds

    async def main() -> None:
        await asyncio.gather(
            *(
                _user(base, stop_at, think, results, i * min(1.0, seconds / 4 / users))
                for i in range(users)
            )
        )

    asyncio.run(main())
    cpu1 = _proc_stats(pids)[0]
    driver_ms = 1000 * (_driver_cpu() - driver0)
    lat = sorted(results.latencies)
    n = len(lat)
    return {
        "users": users,
        "interactions": n,
        "p50_ms": 1000 * statistics.median(lat) if n else float("nan"),
        "p95_ms": 1000 * lat[min(n - 1, int(0.95 * n))] if n else float("nan"),
        "cpu_ms": 1000 * (cpu1 - cpu0) / n if n else float("nan"),
        "driver_ms": driver_ms / n if n else float("nan"),
        "errors": results.errors,
        "journeys": results.journeys,
    }


class OneProcess:
    def __init__(
        self, database_url: str | None, options: tuple[str, ...] = (), script: str = "app.py"
    ) -> None:
        self.options = options
        self.script = script
        self.folder = Path(tempfile.mkdtemp(prefix="bounce-back-bench-"))
        self.postgres: LocalPostgres | None = None
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> OneProcess:
        import subprocess

        env = {**os.environ, "BOUNCE_BACK_DB_PATH": str(self.folder / "bench.db")}
        if self.database_url is not None:
            self.postgres = LocalPostgres(durable=True).start()
            self.postgres.psql("CREATE DATABASE bounce_back")
            env["BOUNCE_BACK_DATABASE_URL"] = self.postgres.url_for("bounce_back")
        command = [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless"]
        command += ["true", "--server.address", "127.0.0.1", "--server.port", str(self.port)]
        command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        command += list(self.options)
        with (self.folder / "app.log").open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the app did not start")

    @property
    def pids(self) -> list[int]:
        return [self.process.pid]

    def stop(self) -> None:
        if getattr(self, "process", None) is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class Typist(Candidate):
    """Types into the text boxes of one page again and again: the floor comparison.

    On the app it first consents, starts and opens step 1 (not measured); on the bare
    page it just loads it. Then each interaction is one answer typed into the next box.
    """

    async def setup(self, app: bool) -> None:
        measured, self.results = self.results, Results()
        await self.connect()
        await self.rerun()
        if app:
            await self.interact_checkbox()
            await self.click("Start my reflection")
            await self.open("feedback")
        self.results = measured

    async def type_until(self, stop_at: float) -> None:
        boxes = [w.label for w in self.widgets.values() if w.kind in ("text_input", "text_area")]
        turn = 0
        while time.monotonic() < stop_at and boxes:
            label = boxes[turn % len(boxes)]
            box = next(w for w in self.widgets.values() if w.label == label)
            state = BackMsg().rerun_script.widget_states.widgets.add()
            state.id, state.string_value = box.id, f"Floor answer {random.randint(1, 10**6)}"
            self.states[box.id] = state
            await self.pause()
            await self.rerun()
            turn += 1
        await self.ws.close()


def floor_level(target: OneProcess, app: bool, users: int, seconds: float, think) -> dict:
    results = Results()

    async def main() -> tuple[float, float, float]:
        typists = [Typist(target.url, think, results) for _ in range(users)]
        await asyncio.gather(*(t.setup(app) for t in typists))
        cpu0, driver0 = _proc_stats(target.pids)[0], _driver_cpu()
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(t.type_until(stop_at) for t in typists))
        return cpu0, _proc_stats(target.pids)[0], _driver_cpu() - driver0

    cpu0, cpu1, driver_s = asyncio.run(main())
    lat = sorted(results.latencies)
    n = len(lat)
    return {
        "interactions": n,
        "p50_ms": 1000 * statistics.median(lat) if n else float("nan"),
        "p95_ms": 1000 * lat[min(n - 1, int(0.95 * n))] if n else float("nan"),
        "cpu_ms": 1000 * (cpu1 - cpu0) / n if n else float("nan"),
        "driver_ms": 1000 * driver_s / n if n else float("nan"),
    }


def floor(levels: list[int], seconds: float, think: tuple[float, float]) -> None:
    """Step 1 of the app against a bare page of the same shape, the same typing, one run."""
    pages = [
        ("step 1 (app, SQLite)", OneProcess(None), True),
        ("bare page, same elements", OneProcess(None, script="scripts/bench_bare_step.py"), False),
    ]
    cpu: dict[tuple[str, int], float] = {}
    print(
        "| page | users | interactions | p50 ms | p95 ms | CPU ms/interaction "
        "| driver CPU ms/interaction |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, target, app in pages:
        target.start()
        try:
            floor_level(target, app, 2, 5.0, (0.05, 0.1))  # warm-up, not measured
            for users in levels:
                row = floor_level(target, app, users, seconds, think)
                cpu[name, users] = row["cpu_ms"]
                print(
                    f"| {name} | {users} | {row['interactions']} | {row['p50_ms']:.0f} | "
                    f"{row['p95_ms']:.0f} | {row['cpu_ms']:.1f} | {row['driver_ms']:.1f} |",
                    flush=True,
                )
        finally:
            target.stop()
    print()
    app_name, bare_name = pages[0][0], pages[1][0]
    for users in levels:
        ratio = cpu[app_name, users] / cpu[bare_name, users]
        print(f"{users} users: app CPU per interaction = {ratio:.2f} × the bare page")


# A closed session's state is dropped this long after its websocket goes (Streamlit's
# `server.disconnectedSessionTTL`, 120 s by default): short in the soak, so "after they
# close" means after Streamlit has really let them go.
SOAK_SESSION_TTL_S = 2


def _rss_mib(pids: list[int]) -> float:
    return _proc_stats(pids)[1] / 2**20


def soak(journeys: int, at_once: int, think: tuple[float, float]) -> int:
    """Complete journeys in waves of `at_once` open sessions; RSS open and after closing.

    Each wave opens `at_once` candidates together, waits until every one has finished its
    whole journey (all sessions open at once), reads the app's RSS, closes them all, waits
    for Streamlit to drop them, and reads it again. Growth across the soak is the
    after-closing RSS of the last wave against the first's: the first wave pays for
    everything a process allocates once (page modules, caches, the allocator's arenas).
    """
    target = OneProcess(None, ("--server.disconnectedSessionTTL", str(SOAK_SESSION_TTL_S))).start()
    try:
        pids = target.pids
        run_level(target.url, pids, 2, 10.0, (0.05, 0.1))  # imports and compiles each page
        time.sleep(SOAK_SESSION_TTL_S + 3)
        start_mib = _rss_mib(pids)
        print(f"soak: {journeys} journeys, {at_once} sessions open at once, one process, SQLite")
        print(f"RSS after warm-up, no session open: {start_mib:.1f} MiB")
        print("| wave | journeys done | failed | RSS, all open MiB | RSS, after closing MiB |")
        print("|---|---|---|---|---|")
        done = failed = 0
        rows: list[tuple[float, float]] = []
        wave = 0
        while done < journeys:
            wave += 1
            size = min(at_once, journeys - done)
            results = Results()

            async def one_wave(size: int = size, results: Results = results) -> None:
                hold = asyncio.Event()

                async def candidate(i: int) -> None:
                    await asyncio.sleep(i * 0.05)
                    try:
                        await Candidate(target.url, think, results).run(math.inf, hold)
                    except Exception:  # counted; the soak carries on
                        results.errors += 1

                async def all_open() -> None:
                    while results.journeys + results.errors < size:
                        await asyncio.sleep(0.2)
                    rows.append((_rss_mib(pids), 0.0))
                    hold.set()

                await asyncio.gather(all_open(), *(candidate(i) for i in range(size)))

            asyncio.run(one_wave())
            time.sleep(SOAK_SESSION_TTL_S + 3)
            rows[-1] = (rows[-1][0], _rss_mib(pids))
            done += results.journeys
            failed += results.errors
            open_mib, closed_mib = rows[-1]
            print(f"| {wave} | {done} | {failed} | {open_mib:.1f} | {closed_mib:.1f} |", flush=True)
            if results.journeys == 0:
                print("no journey finished in this wave: stopping")
                return 1
        first_open, first_closed = rows[0]
        last_closed = rows[-1][1]
        print()
        print(f"RSS per open session (first wave): {(first_open - start_mib) / at_once:.2f} MiB")
        print(
            f"growth across the soak (after closing, last wave - first): "
            f"{last_closed - first_closed:+.1f} MiB (bound: {SOAK_GROWTH_BOUND_MIB} MiB)"
        )
        return 0 if failed == 0 and last_closed - first_closed <= SOAK_GROWTH_BOUND_MIB else 1
    finally:
        target.stop()


# What the soak allows the process to grow from its first wave to its last, after each
# wave's sessions have closed: the allocator keeps some freed arenas, a leak grows with
# every wave.
SOAK_GROWTH_BOUND_MIB = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer levels, shorter runs")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument(
        "--soak", type=int, metavar="N", help="N complete journeys in waves; RSS per wave"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="step 1 against a bare page of the same shape: CPU per interaction, and the ratio",
    )
    parser.add_argument(
        "--levels",
        type=lambda text: [int(n) for n in text.split(",")],
        help="comma-separated numbers of simulated candidates, e.g. 16,32,48",
    )
    parser.add_argument(
        "--at-once", type=int, default=32, help="sessions open together in a soak wave"
    )
    parser.add_argument(
        "--setup",
        choices=("sqlite", "postgres", "cluster"),
        action="append",
        help="measure only this setup (repeatable); all three by default",
    )
    args = parser.parse_args()
    if args.soak:
        return soak(args.soak, args.at_once, (0.0, 0.05))
    if args.floor:
        levels = args.levels or ([1, 4, 16] if args.quick else [1, 4, 16, 32, 48])
        floor(levels, args.seconds or 15.0, (0.5, 1.5))
        return 0
    levels = args.levels or ([1, 2, 4, 8, 16] if args.quick else [1, 2, 4, 8, 16, 32, 48, 64])
    seconds = args.seconds or (15.0 if args.quick else 40.0)
    think = (0.5, 1.5)
    setups = [
        ("1 process, SQLite", lambda: OneProcess(None), "sqlite"),
        ("1 process, PostgreSQL", lambda: OneProcess("pg"), "postgres"),
        ("2 processes + HAProxy, PostgreSQL", lambda: Cluster(replicas=2), "cluster"),
    ]
    setups = [(name, make) for name, make, key in setups if key in (args.setup or [key])]
    print(f"think time {think[0]}-{think[1]} s, {seconds:.0f} s per level, loopback only")
    print(
        "| setup | users | interactions | p50 ms | p95 ms | CPU ms/interaction "
        "| driver CPU ms/interaction |"
    )
    print("|---|---|---|---|---|---|---|")
    best: dict[str, int] = {}
    for name, make in setups:
        target = make().start()
        try:
            pids = [p.pid for p in target.apps] if isinstance(target, Cluster) else target.pids
            # Warm-up, not measured: the first visit of each page imports and compiles it.
            run_level(target.url, pids, 2, seconds, (0.05, 0.1))
            for users in levels:
                row = run_level(target.url, pids, users, seconds, think)
                print(
                    f"| {name} | {users} | {row['interactions']} | {row['p50_ms']:.0f} | "
                    f"{row['p95_ms']:.0f} | {row['cpu_ms']:.0f} | {row['driver_ms']:.1f} |"
                    + (f" ({row['errors']} failed journeys)" if row["errors"] else ""),
                    flush=True,
                )
                if row["p95_ms"] <= TARGET_P95_MS and row["errors"] == 0:
                    best[name] = users
                elif row["p95_ms"] > 4 * TARGET_P95_MS:
                    break  # far past the target: the next level only loads the machine
        finally:
            target.stop()
    print()
    for name, _ in setups:
        print(f"{name}: highest concurrency with p95 ≤ {TARGET_P95_MS:.0f} ms: {best.get(name, 0)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
