"""The consultant queue: submitted reflections, most urgent first, filtered and paged.

Only reflections with `submitted_at` set are ever read here. The order has two parts:
first the requests past their response target and still waiting for a first contact
("late": `respond_by` has passed, never changed to contacted, not closed), the longest
overdue first; then every other row by priority (highest first), then age (oldest
first), then id. Both parts are read in a stable order, so paging is stable for a given
`now`. The partial indexes of migrations 0002 to 0004 and 0012 keep the first page fast
with 100,000 submissions (`scripts/bench_queue.py`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.campaign import NO_CAMPAIGN
from core.clock import stamp, system_clock
from core.questionnaire import BAND_LABELS, NO_BAND, STAGE_LABELS
from core.reasons import REASON_LABELS
from core.review import STATUS_LABELS
from core.store import Store
from core.targets import CONTACTED

MAX_PAGE_SIZE = 500
SEARCH_MAX = 100


@dataclass(frozen=True)
class QueueFilter:
    """Every field defaults to "no filter"."""

    statuses: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    reason: str | None = None
    campaign: str | None = None  # utm_campaign; NO_CAMPAIGN matches reflections without one
    date_from: dt.date | None = None  # submitted on or after
    date_to: dt.date | None = None  # submitted on or before
    search: str = ""
    assignee_id: int | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int = 0
    page_size: int = 50

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(filters: QueueFilter) -> tuple[str, list[Any]]:
    clauses = ["r.submitted_at IS NOT NULL"]
    params: list[Any] = []
    statuses = [s for s in filters.statuses if s in STATUS_LABELS]
    if filters.statuses:
        clauses.append(f"r.review_status IN ({', '.join('?' * len(statuses)) or 'NULL'})")
        params += statuses
    if filters.bands:
        bands = [b for b in filters.bands if b in BAND_LABELS]
        parts = []
        if bands:
            parts.append(f"r.band IN ({', '.join('?' * len(bands))})")
            params += bands
        if "none" in filters.bands:
            parts.append("r.band IS NULL")
        clauses.append("(" + (" OR ".join(parts) or "1 = 0") + ")")
    if filters.reason:
        # reason_codes is a space-separated list: the padded LIKE matches a code whole.
        clauses.append("(' ' || r.reason_codes || ' ') LIKE ? ESCAPE '\\'")
        params.append(_like(f" {filters.reason} "))
    if filters.campaign == NO_CAMPAIGN:
        clauses.append("r.utm_campaign IS NULL")
    elif filters.campaign:
        clauses.append("r.utm_campaign = ?")
        params.append(filters.campaign)
    if filters.date_from:
        clauses.append("r.submitted_at >= ?")
        params.append(filters.date_from.isoformat())
    if filters.date_to:
        clauses.append("r.submitted_at < ?")
        params.append((filters.date_to + dt.timedelta(days=1)).isoformat())
    if filters.assignee_id is not None:
        clauses.append("r.assignee_id = ?")
        params.append(filters.assignee_id)
    search = filters.search.strip()[:SEARCH_MAX]
    if search:
        pattern = _like(search)
        # lower() on both sides: a search ignores case on either engine (LIKE alone
        # ignores ASCII case on SQLite and no case on PostgreSQL).
        terms = [
            "lower(r.company) LIKE lower(?) ESCAPE '\\'",
            "lower(r.role) LIKE lower(?) ESCAPE '\\'",
            # One pass over the (small) contact table rather than a lookup per reflection.
            "r.id IN (SELECT c.reflection_id FROM contact_requests c "
            "WHERE lower(c.name) LIKE lower(?) ESCAPE '\\' "
            "OR lower(c.email) LIKE lower(?) ESCAPE '\\')",
        ]
        params += [pattern] * 4
        number = search.lstrip("#")
        if number.isdigit() and len(number) < 12:
            terms.append("r.id = ?")
            params.append(int(number))
        clauses.append("(" + " OR ".join(terms) + ")")
    return " AND ".join(clauses), params


COLUMNS = (
    "r.id, r.submitted_at, r.role, r.company, r.stage_reached, r.overall, r.band, "
    "r.reason_codes, r.reasons_json, r.contact_requested, r.review_status, r.assignee_id, "
    "r.utm_campaign, r.priority, a.display_name AS assignee_display, a.username AS assignee_user, "
    "r.shared_answers_json IS NOT NULL AS shared, r.respond_by"
)
# A queue row is either a shared reflection or a contact request from someone who did
# not share (contact details and message only).
KIND_LABELS: dict[bool, str] = {True: "Reflection", False: "Contact request"}
ORDER = "ORDER BY r.priority DESC, r.submitted_at, r.id"
LATE_ORDER = "ORDER BY r.respond_by, r.id"
# Still waiting for a first contact: new or in progress (word for word the condition of
# migration 0012's partial index, so both engines can use it) and never changed to
# contacted (a request moved on and back still counts as answered).
_WAITING = "r.review_status IN ('new', 'in_progress')"
_CONTACTED_ONCE = (
    "EXISTS (SELECT 1 FROM status_changes s WHERE s.reflection_id = r.id "
    "AND s.to_status = ? AND s.kind = 'status')"
)


def _late(now: str) -> tuple[str, list[Any]]:
    """Rows past their response target and still waiting for a first contact."""
    return f"r.respond_by < ? AND {_WAITING} AND NOT {_CONTACTED_ONCE}", [now, CONTACTED]


def _not_late(now: str) -> tuple[str, list[Any]]:
    """Every other row (written out rather than NOT(...): a NULL `respond_by` must count)."""
    return (
        f"(r.respond_by IS NULL OR r.respond_by >= ? OR NOT {_WAITING} OR {_CONTACTED_ONCE})",
        [now, CONTACTED],
    )


def _row(raw: Any) -> dict[str, Any]:
    codes = [c for c in (raw["reason_codes"] or "").split() if c]
    return {
        "id": raw["id"],
        "submitted_at": raw["submitted_at"],
        "role": raw["role"] or "",
        "company": raw["company"] or "",
        "stage": STAGE_LABELS.get(raw["stage_reached"] or "", ""),
        "overall": raw["overall"],
        "band": raw["band"],
        "band_label": BAND_LABELS.get(raw["band"] or "", NO_BAND),
        "reason_codes": codes,
        "reasons": [REASON_LABELS.get(c, c) for c in codes],
        "contact_requested": bool(raw["contact_requested"]),
        "status": raw["review_status"],
        "status_label": STATUS_LABELS.get(raw["review_status"], raw["review_status"]),
        "assignee_id": raw["assignee_id"],
        "assignee": raw["assignee_display"] or raw["assignee_user"] or "",
        "campaign": raw["utm_campaign"] or "",
        "priority": raw["priority"],
        "shared": bool(raw["shared"]),
        "kind": KIND_LABELS[bool(raw["shared"])],
        "respond_by": raw["respond_by"],
    }


def _page_ids(
    conn: Any, where: str, params: list[Any], order: str, limit: int, offset: int
) -> list[int]:
    # The queue-order indexes carry every filtered column, so this walks an index alone,
    # and deep pages skip the rows they pass over.
    rows = conn.execute(
        f"SELECT r.id FROM reflections r WHERE {where} {order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [int(row[0]) for row in rows]


def _count(conn: Any, where: str, params: list[Any]) -> int:
    return int(
        conn.execute(f"SELECT COUNT(*) FROM reflections r WHERE {where}", params).fetchone()[0]
    )


def fetch_queue(
    store: Store,
    filters: QueueFilter | None = None,
    *,
    page: int = 0,
    page_size: int = 50,
    now: dt.datetime | None = None,
) -> QueuePage:
    """One page of the queue and the number of reflections matching the filters. `now`
    (by default the clock's) decides which rows are past their response target."""
    filters = filters or QueueFilter()
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    page = max(0, int(page))
    offset = page * page_size
    where, params = _where(filters)
    moment = stamp(now or system_clock())
    late, late_params = _late(moment)
    rest, rest_params = _not_late(moment)
    with store.read() as conn:
        ids = _page_ids(
            conn, f"{where} AND {late}", [*params, *late_params], LATE_ORDER, page_size, offset
        )
        if len(ids) < page_size:
            # The late rows end on this page (or before it): the rest follow them. A short
            # slice tells how many late rows there are; an empty one on a later page does not.
            late_total = (
                offset + len(ids)
                if ids or page == 0
                else _count(conn, f"{where} AND {late}", [*params, *late_params])
            )
            ids += _page_ids(
                conn,
                f"{where} AND {rest}",
                [*params, *rest_params],
                ORDER,
                page_size - len(ids),
                max(0, offset - late_total),
            )
        rows = []
        if ids:
            marks = ", ".join("?" * len(ids))
            found = conn.execute(
                f"SELECT {COLUMNS} FROM reflections r "
                f"LEFT JOIN consultants a ON a.id = r.assignee_id WHERE r.id IN ({marks})",
                ids,
            ).fetchall()
            by_id = {int(raw["id"]): raw for raw in found}
            rows = [by_id[i] for i in ids if i in by_id]
        if len(rows) < page_size and (rows or page == 0):
            # A short page is the last one, so it already tells the total: this saves a
            # second full pass when a search finds little or nothing.
            total = offset + len(rows)
        else:
            total = _count(conn, where, params)
    return QueuePage([_row(r) for r in rows], int(total), page, page_size)


def _keyset_batches(
    store: Store, where: str, params: list[Any], order: str, after: Any, batch: int
) -> Iterator[Any]:
    """Every row matching `where` in `order`, read `batch` at a time; `after(last_row)`
    gives the condition and parameters resuming after the last row seen (keyset paging,
    instead of an ever-growing OFFSET)."""
    extra, extra_params = "", []
    while True:
        with store.read() as conn:
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM reflections r "
                f"LEFT JOIN consultants a ON a.id = r.assignee_id "
                f"WHERE {where}{extra} {order} LIMIT ?",
                [*params, *extra_params, batch],
            ).fetchall()
        if not rows:
            return
        yield from rows
        extra, extra_params = after(rows[-1])


def _after_late(tail: Any) -> tuple[str, list[Any]]:
    respond_by = tail["respond_by"]
    return " AND (r.respond_by > ? OR (r.respond_by = ? AND r.id > ?))", [
        respond_by,
        respond_by,
        tail["id"],
    ]


def _after_rest(tail: Any) -> tuple[str, list[Any]]:
    priority, submitted = tail["priority"], tail["submitted_at"]
    return (
        " AND (r.priority < ? OR (r.priority = ? AND (r.submitted_at > ? OR "
        "(r.submitted_at = ? AND r.id > ?))))",
        [priority, priority, submitted, submitted, tail["id"]],
    )


def iter_queue(
    store: Store,
    filters: QueueFilter | None = None,
    *,
    batch: int = 500,
    now: dt.datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Every matching row in queue order (late ones first, as `fetch_queue` pages them),
    read in batches (for the CSV export and a reflection's neighbours)."""
    filters = filters or QueueFilter()
    where, params = _where(filters)
    moment = stamp(now or system_clock())
    for condition, extra, order, after in (
        (*_late(moment), LATE_ORDER, _after_late),
        (*_not_late(moment), ORDER, _after_rest),
    ):
        for raw in _keyset_batches(
            store, f"{where} AND {condition}", [*params, *extra], order, after, batch
        ):
            yield _row(raw)


def follow_ups_due(store: Store, today: dt.date, limit: int = 20) -> list[dict[str, Any]]:
    """Shared reflections whose follow-up date has come, the most overdue first."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id, role, company, follow_up_on FROM reflections "
            "WHERE follow_up_on IS NOT NULL AND submitted_at IS NOT NULL AND follow_up_on <= ? "
            "ORDER BY follow_up_on, id LIMIT ?",
            (today.isoformat(), limit),
        ).fetchall()
    return [dict(row) for row in rows]


def neighbours(
    store: Store, filters: QueueFilter | None, reflection_id: int
) -> tuple[int | None, int | None]:
    """The reflections before and after this one in the queue as currently filtered."""
    previous: int | None = None
    found = False
    for row in iter_queue(store, filters):
        if found:
            return previous, row["id"]
        if row["id"] == reflection_id:
            found = True
        else:
            previous = row["id"]
    return (previous, None) if found else (None, None)


def campaign_options(store: Store) -> list[str]:
    """The campaigns that submitted reflections came from, plus NO_CAMPAIGN if any lack one."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT DISTINCT utm_campaign FROM reflections WHERE submitted_at IS NOT NULL "
            "ORDER BY utm_campaign NULLS FIRST"
        ).fetchall()
    return [r[0] if r[0] is not None else NO_CAMPAIGN for r in rows]


def reasons_of(raw_json: str | None) -> list[dict[str, Any]]:
    try:
        value = json.loads(raw_json or "[]")
    except ValueError:
        return []
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
