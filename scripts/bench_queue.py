"""Time the consultant queue's first page in its overdue-first order over 100,000 submitted
reflections on SQLite, and print one table.

    python scripts/bench_queue.py          # 30 calls per case
    python scripts/bench_queue.py --quick  # 10 calls per case

The reflections are `scripts/bench.py`'s (`seed_queue`: a year of arrivals, statuses
mixed, no status history). Their response targets are then filled the way start-up
fills rows queued before migration 0012 (`core.targets.backfill_respond_by`), which is
timed too. Two queues are measured:

- backlog: the seed as it is, so most of a year's requests are new or in progress and
  past their target: the worst case for the overdue part of the order;
- kept up: every request older than two weeks closed, as in an agency that keeps up.

For each: the first page with no filter, with status and band filters and with a
search; the first page after the overdue rows (which needs their count); and, for
comparison, the page as the queue read it before (priority and age only). Progress and
the query plans go to stderr; the table goes to stdout. No budget is checked: the
machine may be shared, and others' work inflates the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import QUEUE_ROWS, log, ms, p95, seed_queue  # noqa: E402

from core import queue, targets  # noqa: E402
from core.clock import stamp  # noqa: E402
from core.queue import QueueFilter  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.store import Store, open_store  # noqa: E402

CASES: list[tuple[str, QueueFilter | None]] = [
    ("no filter", None),
    ("status new + band low", QueueFilter(statuses=("new",), bands=("low",))),
    ("search 'Zoë'", QueueFilter(search="Zoë")),
]


def timed(calls: int, run: Callable[[], Any]) -> tuple[list[float], Any]:
    result = run()  # warm the page cache
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return times, result


def previous_order_page(store: Store, filters: QueueFilter | None) -> tuple[int, int]:
    """The first page as `fetch_queue` read it before migration 0012 (priority and age
    only): the page's ids, its rows and the total. (rows, total)"""
    where, params = queue._where(filters or QueueFilter())
    with store.read() as conn:
        page_ids = f"SELECT r.id FROM reflections r WHERE {where} {queue.ORDER} LIMIT ? OFFSET ?"
        rows = conn.execute(
            f"SELECT {queue.COLUMNS} FROM reflections r "
            f"LEFT JOIN consultants a ON a.id = r.assignee_id "
            f"WHERE r.id IN ({page_ids}) {queue.ORDER}",
            [*params, 50, 0],
        ).fetchall()
        if len(rows) < 50:
            total = len(rows)
        else:
            count = f"SELECT COUNT(*) FROM reflections r WHERE {where}"
            total = conn.execute(count, params).fetchone()[0]
    return len(rows), int(total)


def late_count(store: Store, filters: QueueFilter | None, now: dt.datetime) -> int:
    where, params = queue._where(filters or QueueFilter())
    late, late_params = queue._late(stamp(now))
    with store.read() as conn:
        return int(
            conn.execute(
                f"SELECT COUNT(*) FROM reflections r WHERE {where} AND {late}",
                [*params, *late_params],
            ).fetchone()[0]
        )


def log_plans(store: Store, filters: QueueFilter | None, now: dt.datetime) -> None:
    where, params = queue._where(filters or QueueFilter())
    for name, (condition, extra), order in (
        ("overdue part", queue._late(stamp(now)), queue.LATE_ORDER),
        ("the rest", queue._not_late(stamp(now)), queue.ORDER),
    ):
        with store.read() as conn:
            plan = conn.execute(
                f"EXPLAIN QUERY PLAN SELECT r.id FROM reflections r WHERE {where} AND "
                f"{condition} {order} LIMIT 50",
                [*params, *extra],
            ).fetchall()
        log(f"  plan, {name}: " + " | ".join(row[3] for row in plan))


def measure(store: Store, scenario: str, calls: int, now: dt.datetime) -> list[tuple[str, ...]]:
    rows = []
    for label, filters in CASES:
        log(f"{scenario}: {label}")
        log_plans(store, filters, now)
        late = late_count(store, filters, now)
        times, page = timed(calls, lambda f=filters: queue.fetch_queue(store, f, now=now))
        rows.append(
            (
                scenario,
                f"first page, {label}",
                f"{page.total:,}",
                f"{late:,}",
                ms(statistics.median(times)),
                ms(p95(times)),
            )
        )
        if label == "no filter":
            after = late // 50 + 1  # the first page holding no overdue row
            times, page = timed(
                calls, lambda a=after: queue.fetch_queue(store, None, page=a, now=now)
            )
            rows.append(
                (
                    scenario,
                    f"page {after + 1} (first after the overdue), no filter",
                    f"{page.total:,}",
                    f"{late:,}",
                    ms(statistics.median(times)),
                    ms(p95(times)),
                )
            )
        times, _ = timed(calls, lambda f=filters: previous_order_page(store, f))
        rows.append(
            (
                scenario,
                f"  before 0012 (priority, age), {label}",
                "",
                "",
                ms(statistics.median(times)),
                ms(p95(times)),
            )
        )
    return rows


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("queue", "what", "match", "overdue", "median", "p95")
    cells = [header, *rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    line = "+".join("-" * (w + 2) for w in widths)
    for index, cell in enumerate(cells):
        print("| " + " | ".join(v.ljust(w) for v, w in zip(cell, widths, strict=True)) + " |")
        if index == 0:
            print(f"|{line}|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls per case")
    parser.add_argument("--rows", type=int, default=QUEUE_ROWS, help="submitted reflections")
    args = parser.parse_args(argv)
    calls = 10 if args.quick else 30
    log(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bounce-back-bench-queue-") as tmp:
        store = open_store(Path(tmp) / "queue.db")
        seconds = seed_queue(store, args.rows)
        log(f"seeded {args.rows:,} submitted reflections in {seconds:.1f} s")
        started = time.perf_counter()
        filled = targets.backfill_respond_by(store, load_settings())
        backfill = time.perf_counter() - started
        log(f"backfilled respond_by on {filled:,} rows in {backfill:.1f} s")
        store.analyze()
        now = dt.datetime.now(dt.UTC)
        rows = [("-", f"backfill of {filled:,} rows (once, at start)", "", "", ms(backfill), "")]
        rows += measure(store, "backlog", calls, now)
        cutoff = stamp(now - dt.timedelta(days=14))
        with store.write() as conn:
            conn.execute(
                "UPDATE reflections SET review_status = 'closed' WHERE submitted_at < ?", (cutoff,)
            )
        store.analyze()
        rows += measure(store, "kept up", calls, now)
        store.close()
    log(f"load average now {os.getloadavg()[0]:.1f} (others' work inflates the numbers)")
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
