"""The consultant queue: only submitted reflections, urgent and old first, filters, paging."""

from __future__ import annotations

import datetime as dt

import pytest

from core import journey
from core.campaign import NO_CAMPAIGN
from core.limits import UNLIMITED
from core.queue import (
    LATE_ORDER,
    QueueFilter,
    _late,
    _where,
    campaign_options,
    fetch_queue,
    iter_queue,
)

LOW = {"takes_criticism": 1, "replaying": 5, "keeps_in_touch": 1, "actively_searching": 1}
STRONG = {
    "takes_criticism": 5,
    "replaying": 1,
    "keeps_in_touch": 5,
    "actively_searching": 5,
    "pipeline": [
        {"company": "Other Co", "cv_tailored": "yes"},
        {"company": "Third Co", "cv_tailored": "yes"},
    ],
}


def submit(
    store,
    *,
    company="Acme",
    role="Analyst",
    answers=None,
    asked=False,
    campaign=None,
    at="2026-11-01T09:00:00+00:00",
):
    session = journey.start(store, campaign or {}, client=UNLIMITED)
    rid = session.reflection_id
    for key, value in {"company": company, "role": role, **(answers or {})}.items():
        journey.save_answer(store, rid, key, value)
    journey.submit_for_review(store, rid, journey.load_answers(store, rid), asked_to_talk=asked)
    with store.write() as conn:
        conn.execute("UPDATE reflections SET submitted_at = ? WHERE id = ?", (at, rid))
    return rid


def ids(page):
    return [row["id"] for row in page.rows]


def test_only_submitted_reflections_are_listed(store):
    draft = journey.start(store, client=UNLIMITED)
    journey.save_answer(store, draft.reflection_id, "company", "Secret Draft Ltd")
    shared = submit(store)
    page = fetch_queue(store)
    assert ids(page) == [shared] and page.total == 1
    withdrawn = submit(store, company="Withdrawn")
    journey.withdraw_review(store, withdrawn)
    assert ids(fetch_queue(store)) == [shared]


def test_ordered_by_priority_then_oldest_first(store):
    old_plain = submit(store, at="2026-11-01T09:00:00+00:00")
    new_plain = submit(store, at="2026-11-03T09:00:00+00:00")
    new_urgent = submit(store, asked=True, at="2026-11-04T09:00:00+00:00")
    old_urgent = submit(store, asked=True, at="2026-11-02T09:00:00+00:00")
    page = fetch_queue(store)
    assert ids(page) == [old_urgent, new_urgent, old_plain, new_plain]
    priorities = [row["priority"] for row in page.rows]
    assert priorities == sorted(priorities, reverse=True)


def test_row_has_the_columns_consultants_need(store):
    rid = submit(
        store,
        company="Acme",
        role="Data Analyst",
        answers={**LOW, "stage_reached": "final_interview"},
        asked=True,
        campaign={"utm_campaign": "job-rejection"},
    )
    [row] = fetch_queue(store).rows
    assert row["id"] == rid
    assert row["submitted_at"] == "2026-11-01T09:00:00+00:00"
    assert (row["role"], row["company"]) == ("Data Analyst", "Acme")
    assert row["stage"] == "Final interview"
    assert row["overall"] == 0 and row["band"] == "low" and row["band_label"] == "Early days"
    assert "Asked to talk" in row["reasons"] and "Low overall score" in row["reasons"]
    assert row["contact_requested"] is True
    assert row["status"] == "new" and row["status_label"] == "New"
    assert row["assignee"] == "" and row["campaign"] == "job-rejection"


def test_status_filter(store):
    a, b = submit(store), submit(store)
    with store.write() as conn:
        conn.execute("UPDATE reflections SET review_status = 'contacted' WHERE id = ?", (b,))
    assert ids(fetch_queue(store, QueueFilter(statuses=("contacted",)))) == [b]
    assert ids(fetch_queue(store, QueueFilter(statuses=("new", "closed")))) == [a]
    assert fetch_queue(store, QueueFilter(statuses=("bogus",))).total == 0


def test_band_filter(store):
    low = submit(store, answers=LOW)
    strong = submit(store, answers=STRONG)
    unscored = submit(store)
    assert ids(fetch_queue(store, QueueFilter(bands=("low",)))) == [low]
    assert ids(fetch_queue(store, QueueFilter(bands=("strong",)))) == [strong]
    assert ids(fetch_queue(store, QueueFilter(bands=("none",)))) == [unscored]
    assert set(ids(fetch_queue(store, QueueFilter(bands=("low", "strong"))))) == {low, strong}


def test_reason_filter_matches_whole_codes(store):
    low = submit(store, answers=LOW)
    strong = submit(store, answers=STRONG)
    talk = submit(store, answers=STRONG, asked=True)
    assert ids(fetch_queue(store, QueueFilter(reason="asked_to_talk"))) == [talk]
    assert ids(fetch_queue(store, QueueFilter(reason="low_overall"))) == [low]
    assert strong not in ids(fetch_queue(store, QueueFilter(reason="no_live_options")))
    assert fetch_queue(store, QueueFilter(reason="low")).total == 0  # not a prefix match


def test_reason_filter_knows_every_reason_the_rules_give(store):
    from core.reasons import REASON_LABELS
    from core.scoring import score
    from core.suggestions import reasons_for

    low = score(LOW)
    given = {r.code for r in reasons_for(low, {**LOW, "final_rejections_6m": "3+"}, True)}
    assert given <= set(REASON_LABELS)


def test_campaign_filter_and_options(store):
    blog = submit(store, campaign={"utm_campaign": "job-rejection"})
    mail = submit(store, campaign={"utm_campaign": "newsletter"})
    direct = submit(store)
    assert ids(fetch_queue(store, QueueFilter(campaign="newsletter"))) == [mail]
    assert ids(fetch_queue(store, QueueFilter(campaign="job-rejection"))) == [blog]
    assert ids(fetch_queue(store, QueueFilter(campaign=NO_CAMPAIGN))) == [direct]
    assert campaign_options(store) == [NO_CAMPAIGN, "job-rejection", "newsletter"]


def test_date_range_is_inclusive(store):
    first = submit(store, at="2026-11-01T23:59:59+00:00")
    second = submit(store, at="2026-11-02T00:00:00+00:00")
    third = submit(store, at="2026-11-05T12:00:00+00:00")
    one_day = QueueFilter(date_from=dt.date(2026, 11, 2), date_to=dt.date(2026, 11, 2))
    assert ids(fetch_queue(store, one_day)) == [second]
    assert ids(fetch_queue(store, QueueFilter(date_to=dt.date(2026, 11, 1)))) == [first]
    assert ids(fetch_queue(store, QueueFilter(date_from=dt.date(2026, 11, 3)))) == [third]


@pytest.mark.parametrize(
    ("term", "expected"),
    [("acme", "acme"), ("ENGINEER", "umbrella"), ("100%", "percent"), ("_", None), ("%", None)],
)
def test_search_matches_company_and_role_literally(store, term, expected):
    made = {
        "acme": submit(store, company="Acme Ltd", role="Analyst"),
        "umbrella": submit(store, company="Umbrella", role="Senior Engineer"),
        "percent": submit(store, company="100% Juice", role="Buyer"),
    }
    found = ids(fetch_queue(store, QueueFilter(search=term)))
    if expected is None:
        assert found == [made["percent"]] if term == "%" else found == []
    else:
        assert found == [made[expected]]


def test_search_by_number(store):
    submit(store)
    rid = submit(store, company="Other")
    assert ids(fetch_queue(store, QueueFilter(search=f"#{rid}"))) == [rid]


def test_sql_looking_search_is_just_text(store):
    submit(store)
    page = fetch_queue(store, QueueFilter(search="' OR 1=1 --"))
    assert page.total == 0


def test_paging_and_total(store):
    made = [submit(store, at=f"2026-11-01T09:{minute:02d}:00+00:00") for minute in range(7)]
    first = fetch_queue(store, page=0, page_size=3)
    second = fetch_queue(store, page=1, page_size=3)
    last = fetch_queue(store, page=2, page_size=3)
    beyond = fetch_queue(store, page=5, page_size=3)
    assert first.total == second.total == 7 and first.pages == 3
    assert ids(first) + ids(second) + ids(last) == made
    assert len(ids(last)) == 1 and beyond.rows == [] and beyond.total == 7


def test_filters_combine_and_total_counts_all_pages(store):
    for _ in range(4):
        submit(store, answers=LOW, campaign={"utm_campaign": "blog"})
    submit(store, answers=LOW)
    submit(store, answers=STRONG, campaign={"utm_campaign": "blog"})
    page = fetch_queue(store, QueueFilter(bands=("low",), campaign="blog"), page_size=2)
    assert page.total == 4 and len(page.rows) == 2


def test_iter_queue_returns_every_row_in_queue_order(store):
    for minute in range(5):
        submit(store, asked=minute % 2 == 0, at=f"2026-11-01T09:{minute:02d}:00+00:00")
    everything = list(iter_queue(store, batch=2))
    assert [r["id"] for r in everything] == ids(fetch_queue(store, page_size=50))


def test_assignee_shown_and_filtered(store):
    from core import accounts

    mine = submit(store)
    submit(store)
    cid = accounts.add_consultant(store, "pat", "a long enough passphrase", display_name="Pat")
    with store.write() as conn:
        conn.execute("UPDATE reflections SET assignee_id = ? WHERE id = ?", (cid, mine))
    page = fetch_queue(store, QueueFilter(assignee_id=cid))
    assert ids(page) == [mine] and page.rows[0]["assignee"] == "Pat"


# ---------------------------------------------------------------- overdue first, across pages


def share_now(store, company, *, asked=False):
    """Share a reflection at the clock's moment: its response target starts then."""
    rid = journey.start(store, {}, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "company", company)
    journey.submit_for_review(store, rid, journey.load_answers(store, rid), asked_to_talk=asked)
    return rid


def staff(consultant_id):
    from core.staff_sessions import StaffSession

    moment = dt.datetime.now(dt.UTC)
    return StaffSession(1, consultant_id, "alice", "Alice", moment, moment, via_sso=False)


def test_an_overdue_request_from_page_three_comes_first_on_page_one(store, clock):
    shared_at = clock()
    late = share_now(store, "Late Ltd")  # the standard target: 3 working days
    clock.advance(days=7)  # at least 5 working days later, whatever today is
    urgent = [share_now(store, f"Urgent {n}", asked=True) for n in range(21)]
    now = clock()

    # Ranked by urgency and age alone (as it is before anything is due), it is last: page 3.
    assert ids(fetch_queue(store, page=2, page_size=10, now=shared_at)) == [urgent[20], late]

    pages = [fetch_queue(store, page=n, page_size=10, now=now) for n in range(4)]
    assert ids(pages[0]) == [late, *urgent[:9]]
    assert ids(pages[1]) == urgent[9:19]
    assert ids(pages[2]) == urgent[19:]
    assert pages[3].rows == []
    assert {page.total for page in pages} == {22} and pages[0].pages == 3
    assert pages[0].rows[0]["respond_by"] < pages[0].rows[1]["respond_by"]
    # The export and a reflection's neighbours read the same order.
    assert [row["id"] for row in iter_queue(store, batch=4, now=now)] == [late, *urgent]

    # Filters narrow both parts and paging still adds up.
    talk = QueueFilter(reason="asked_to_talk")
    assert ids(fetch_queue(store, talk, page_size=10, now=now)) == urgent[:10]
    assert ids(fetch_queue(store, QueueFilter(search="late"), now=now)) == [late]
    new = QueueFilter(statuses=("new",))
    assert ids(fetch_queue(store, new, page=1, page_size=10, now=now)) == urgent[9:19]


def test_several_overdue_requests_come_longest_overdue_first(store, clock):
    first = share_now(store, "First Ltd")
    clock.advance(hours=1)
    second_urgent = share_now(store, "Second Ltd", asked=True)  # due sooner than `first`
    clock.advance(days=7)
    fresh = share_now(store, "Fresh Ltd", asked=True)
    page = fetch_queue(store, page_size=2, now=clock())
    assert ids(page) == [second_urgent, first] and page.total == 3
    assert ids(fetch_queue(store, page=1, page_size=2, now=clock())) == [fresh]


def test_answered_or_closed_requests_never_jump_the_queue(store, clock, make_consultant):
    from core import review, targets
    from core.settings import load_settings

    alice = staff(make_consultant())
    waiting = share_now(store, "Waiting Ltd")
    answered = share_now(store, "Answered Ltd")
    closed = share_now(store, "Closed Ltd")
    review.change_status(store, alice, answered, "contacted")
    review.change_status(store, alice, answered, "new")  # back again: it was answered once
    review.change_status(store, alice, closed, "closed")
    clock.advance(days=7)
    urgent = share_now(store, "Urgent Ltd", asked=True)
    now = clock()

    page = fetch_queue(store, now=now)
    assert ids(page) == [waiting, urgent, answered, closed]
    assert [row["id"] for row in iter_queue(store, now=now)] == ids(page)
    shown = {
        row["id"]: row["due_text"]
        for row in targets.annotate(store, page.rows, now, load_settings({}))
    }
    assert shown[waiting].startswith("Overdue by ")
    assert shown[answered].startswith("Answered ")
    assert shown[closed].startswith("Closed before a first contact (was due ")


# ---------------------------------------------------------------- overview numbers


def test_overview_counts_weeks_campaigns_bands_and_median(store):
    from core.overview import overview

    submit(store, answers=LOW, campaign={"utm_campaign": "blog"}, at="2026-11-02T10:00:00+00:00")
    submit(store, answers=LOW, campaign={"utm_campaign": "blog"}, at="2026-11-08T23:00:00+00:00")
    submit(store, answers=STRONG, at="2026-11-09T08:00:00+00:00")
    submit(store, at="2026-11-12T08:00:00+00:00")  # too few answers for a band
    journey.start(store, client=UNLIMITED)  # a draft never counts
    data = overview(store)
    assert data.total == 4
    # Weeks start on Monday: 2 Nov and 8 Nov (a Sunday) share a week.
    assert data.per_week == [{"week": "2026-11-02", "count": 2}, {"week": "2026-11-09", "count": 2}]
    assert data.per_campaign == [
        {"campaign": NO_CAMPAIGN, "count": 2},
        {"campaign": "blog", "count": 2},
    ]
    assert {b["band"]: b["count"] for b in data.bands} == {
        "Early days": 2,
        "Building back": 0,
        "Strong footing": 1,
        "Not enough answers": 1,
    }
    assert data.median_overall == 0.0  # scores 0, 0 and 100


def test_overview_median_of_an_even_count_and_since(store):
    from core.overview import median_overall, overview

    submit(store, answers=LOW, at="2026-10-01T10:00:00+00:00")
    submit(store, answers=STRONG, at="2026-11-10T10:00:00+00:00")
    assert median_overall(store) == 50.0
    weeks = overview(store).per_week
    # Quiet weeks in between are listed with 0, from the week of 29 Sep to that of 10 Nov.
    assert (weeks[0], weeks[-1], len(weeks)) == (
        {"week": "2026-09-28", "count": 1},
        {"week": "2026-11-09", "count": 1},
        7,
    )
    assert sum(w["count"] for w in weeks) == 2
    recent = overview(store, since=dt.date(2026, 11, 1))
    assert recent.total == 1 and recent.median_overall == 100.0
    assert overview(store, since=dt.date(2027, 1, 1)).median_overall is None


@pytest.mark.parametrize(
    "filters",
    [
        QueueFilter(statuses=("new",), bands=("low",)),
        QueueFilter(statuses=("new",), reason="asked_to_talk"),
        QueueFilter(statuses=("new", "contacted"), campaign="blog"),
        QueueFilter(bands=("low", "none"), campaign="blog", reason="overall_low"),
        QueueFilter(statuses=("in_progress",), assignee_id=1, date_from=dt.date(2026, 1, 1)),
    ],
    ids=["status+band", "status+reason", "statuses+campaign", "bands+campaign+reason", "mine"],
)
@pytest.mark.sqlite_only
def test_counting_combined_filters_reads_an_index_not_the_table(store, filters):
    # What keeps the queue's total quick at 100,000 submissions (see `make bench`):
    # a lookup per matching row into the table cost 0.2-0.3 s there.
    for n in range(20):
        submit(store, answers=LOW if n % 2 else STRONG, campaign={"utm_campaign": "blog"})
    statuses = "CASE abs(random()) % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'in_progress' " + (
        "WHEN 2 THEN 'contacted' ELSE 'closed' END"
    )
    with store.write() as conn:
        # Enough rows, spread over statuses, for the planner's statistics to look like a
        # real queue's: with a handful of rows any plan is cheap and it picks differently.
        columns = [c[1] for c in conn.execute("PRAGMA table_info(reflections)") if c[1] != "id"]
        copied = ", ".join(statuses if c == "review_status" else c for c in columns)
        for _ in range(7):
            conn.execute(
                f"INSERT INTO reflections ({', '.join(columns)}) SELECT {copied} FROM reflections"
            )
    store.analyze()
    where, params = _where(filters)
    with store.read() as conn:
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM reflections r WHERE {where}", params
        ).fetchall()
    steps = " | ".join(row[3] for row in plan)
    assert "COVERING INDEX" in steps, steps


@pytest.mark.sqlite_only
def test_the_overdue_part_of_the_order_walks_its_own_index(store):
    # Migration 0012's partial index: requests still waiting, by deadline. Without it the
    # first page would sort every waiting row (see scripts/bench_queue.py).
    for n in range(20):
        submit(store, answers=LOW if n % 2 else STRONG)
    statuses = "CASE abs(random()) % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'in_progress' " + (
        "WHEN 2 THEN 'contacted' ELSE 'closed' END"
    )
    with store.write() as conn:
        columns = [c[1] for c in conn.execute("PRAGMA table_info(reflections)") if c[1] != "id"]
        copied = ", ".join(statuses if c == "review_status" else c for c in columns)
        for _ in range(7):
            conn.execute(
                f"INSERT INTO reflections ({', '.join(columns)}) SELECT {copied} FROM reflections"
            )
    store.analyze()
    where, params = _where(QueueFilter())
    late, late_params = _late("2027-01-01T00:00:00+00:00")
    with store.read() as conn:
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT r.id FROM reflections r WHERE {where} AND {late} "
            f"{LATE_ORDER} LIMIT 50",
            [*params, *late_params],
        ).fetchall()
    steps = " | ".join(row[3] for row in plan)
    assert "reflections_queue_waiting" in steps and "TEMP B-TREE" not in steps, steps
