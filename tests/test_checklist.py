"""This week's checklist: items the answers call for, their dates, ticks and re-dating."""

from __future__ import annotations

import datetime as dt

from core.checklist import checklist, checklist_update
from core.clock import day_label
from core.validation import clean_answer

TODAY = dt.date(2026, 11, 25)


NEWS = "2026-11-24"  # a Tuesday; TODAY is the Wednesday after


def _titles(items):
    return [i.title for i in items]


def test_checklist_starts_with_the_three_most_urgent_messages():
    answers = {
        "news_date": NEWS,
        "feedback_status": "planning",
        "feedback_contact_name": "Tom Reyes",
        "contacts": [
            {"name": "Tom Reyes", "connected": "no"},
            {"name": "Priya", "connected": "yes"},
            {"name": "Ana", "connected": "requested"},
        ],
    }
    items = checklist(answers, TODAY)
    assert _titles(items)[:3] == [
        "Send your feedback request to Tom",
        "Send your reply to the rejection",
        "Send a LinkedIn invitation to Tom Reyes",
    ]
    # One invitation per person not yet connected (or asked): none for Priya or Ana.
    assert [t for t in _titles(items) if "LinkedIn" in t] == [
        "Send a LinkedIn invitation to Tom Reyes"
    ]
    # Suggested dates: two days after the news for the messages, three for the invite.
    assert [i.due for i in items[:3]] == ["2026-11-26", "2026-11-26", "2026-11-27"]
    assert all(i.suggested for i in items[:3])


def test_every_kind_of_item_with_own_dates_first_and_suggestions_filled_in():
    answers = {
        "news_date": NEWS,
        "feedback_status": "declined",
        "replied_to_rejection": "yes",
        "action_points": [
            {"point": "Give shorter answers", "due": "2026-12-04"},
            {"point": "Bring numbers", "due": None},
        ],
        "contacts": [
            {
                "name": "Priya",
                "role": "Hiring manager",
                "connected": "yes",
                "next_check_in": "2026-12-10",
            },
        ],
        "pipeline": [{"company": "Globex", "role": "Analyst", "next_step": "2026-12-01"}],
        "improvements": [{"action": "Mock interview with a friend", "target_date": "2026-11-30"}],
    }
    items = checklist(answers, TODAY)
    assert [(i.title, i.due, i.suggested) for i in items] == [
        ("Mock interview with a friend", "2026-11-30", False),
        ("Next step with Globex", "2026-12-01", False),
        ("Give shorter answers", "2026-12-04", False),
        ("Bring numbers", "2026-12-08", True),  # two weeks after the news
        ("Check in with Priya", "2026-12-10", False),
    ]
    assert items[-1].detail == "Hiring manager"


def test_suggested_dates_never_fall_in_the_past_while_open():
    answers = {
        "news_date": "2026-09-01",
        "feedback_status": "asked",
        "feedback_contact_name": "Sam",
    }
    items = checklist(answers, TODAY)
    assert [(i.title, i.due) for i in items] == [
        ("Chase your feedback from Sam", TODAY.isoformat()),
        ("Send your reply to the rejection", TODAY.isoformat()),
    ]


def test_without_a_news_date_dates_count_from_the_start_then_today():
    started = dt.date(2026, 11, 20)
    due = {i.key: i.due for i in checklist({"feedback_status": "asked"}, TODAY, started)}
    assert due == {"feedback_chase": "2026-11-27", "rejection_reply": TODAY.isoformat()}
    due = {i.key: i.due for i in checklist({"feedback_status": "asked"}, TODAY)}
    assert due["feedback_chase"] == "2026-12-02"


def test_feedback_items_follow_the_status():
    def first(status):
        answers = {"news_date": NEWS, "feedback_status": status, "replied_to_rejection": "yes"}
        return _titles(checklist(answers, TODAY))

    assert first(None) == ["Send your feedback request"]
    assert first("not_yet") == ["Send your feedback request"]
    assert first("asked") == ["Chase your feedback"]
    assert first("received") == ["Thank them for the feedback"]
    assert first("declined") == []


def test_ticking_and_redating_are_saved_and_done_items_move_down():
    answers = {"news_date": NEWS, "improvements": [{"action": "Practise"}]}
    items = checklist(answers, TODAY)
    assert _titles(items) == [
        "Send your feedback request",
        "Send your reply to the rejection",
        "Practise",
    ]
    rows = checklist_update(answers, items, "feedback_request", done=True)
    assert rows == [{"item": "feedback_request", "due": None, "done": "yes"}]
    answers["checklist"] = clean_answer("checklist", rows)
    items = checklist(answers, TODAY)
    assert _titles(items) == [
        "Send your reply to the rejection",
        "Practise",
        "Send your feedback request",
    ]
    assert items[-1].done
    rows = checklist_update(answers, items, "improvement:Practise", due=dt.date(2026, 11, 25))
    answers["checklist"] = clean_answer("checklist", rows)
    items = checklist(answers, TODAY)
    practise = next(i for i in items if i.title == "Practise")
    assert practise.due == "2026-11-25" and not practise.suggested
    assert _titles(items)[0] == "Practise"
    # Unticking keeps the changed date; items no longer on the list lose their row.
    rows = checklist_update(answers, items, "feedback_request", done=False)
    assert rows == [{"item": "improvement:Practise", "due": "2026-11-25", "done": None}]
    del answers["improvements"]
    rows = checklist_update(answers, checklist(answers, TODAY), "x")
    assert rows == [{"item": "feedback_request", "due": None, "done": "yes"}]


def test_day_labels_read_like_a_diary():
    assert day_label(dt.date(2026, 12, 2), TODAY) == "Wed 2 Dec"
    assert day_label(dt.date(2027, 1, 15), TODAY) == "Fri 15 Jan 2027"


def test_blank_rows_and_broken_values_are_skipped_not_fatal():
    answers = {
        "replied_to_rejection": "yes",
        "feedback_status": "declined",
        "contacts": [
            {"name": "  "},
            "not a row",
            {"name": "Ana", "connected": "yes", "next_check_in": "31/12/2026"},
        ],
        "pipeline": "oops",
        "improvements": None,
    }
    (item,) = checklist(answers, TODAY)
    assert (item.title, item.suggested) == ("Check in with Ana", True)
