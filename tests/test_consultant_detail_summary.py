"""The consultant's detail page: a summary at the top, a title from role and company,
next/previous through the filtered queue, one-click "Mark contacted", scores once, and a
document whose headings never run into the answer before them."""

from __future__ import annotations

from core import accounts, contact, document, journey, queue, review

PASSWORD = "harbour lights at dusk"


HEAVY = {
    "company": "Northwind",
    "role": "Senior Data Analyst",
    "final_rejections_6m": "2",
    "not_good_enough": 5,
    "giving_up": 4,
    "can_tailor": 1,
    "replied_to_rejection": "drafting",
    "contacts": [{"name": "Tom Reyes"}],
}


def test_heading_from_role_and_company():
    assert document.heading({"id": 7, "role": "Analyst", "company": "Acme"}) == (
        "Analyst at Acme · Reflection #7"
    )
    assert document.heading({"id": 7, "role": None, "company": None}) == "Reflection #7"


def test_summary_has_contact_preference_top_two_reasons_and_flags(store, share_reflection):
    rid = share_reflection(HEAVY, asked_to_talk=True, contact_name="Maya")
    reflection = review.submitted_reflection(store, rid)
    answers = journey.load_answers(store, rid)
    parts = document.summary(reflection, answers, contact.requests_for(store, rid))
    assert parts[0] == "Wants contact: E-mail, weekday mornings"
    # The two highest priorities, in a consultant's words: asked (100), low overall (40).
    assert parts[1].startswith("Top reasons: Asked to be contacted; Low overall score (")
    assert parts[1].count(";") == 1
    assert parts[2] == (
        "Flags: 2 final-stage rejections in 6 months; heavy feelings (not good enough, giving up)"
    )
    quiet = share_reflection(
        {"company": "Acme", "pipeline": [{"company": "X", "cv_tailored": "yes"}]}
    )
    parts = document.summary(
        review.submitted_reflection(store, quiet), journey.load_answers(store, quiet)
    )
    assert parts == ["No contact requested"]


def test_headings_never_run_into_the_answer_before_them(store, share_reflection):
    rid = share_reflection(HEAVY)
    md = document.reflection_markdown(
        review.submitted_reflection(store, rid), journey.load_answers(store, rid)
    )
    before, after = md.split("**People worth staying in touch with**", 1)
    assert before.endswith("\n\n")  # a blank line ends the list item above
    html = document.reflection_html(
        review.submitted_reflection(store, rid), journey.load_answers(store, rid)
    )
    assert "drafting it People worth" not in html.replace("</strong>", "").replace("<strong>", "")


def test_scores_can_be_left_out_of_the_on_page_document(store, share_reflection):
    rid = share_reflection(HEAVY)
    reflection = review.submitted_reflection(store, rid)
    answers = journey.load_answers(store, rid)
    assert "## Score when shared" in document.reflection_markdown(reflection, answers)
    assert "Score when shared" not in document.reflection_markdown(
        reflection, answers, scores=False
    )


def test_best_time_to_call_is_in_the_document(store, share_reflection):
    rid = share_reflection(HEAVY, asked_to_talk=True, contact_name="Maya")
    md = document.reflection_markdown(
        review.submitted_reflection(store, rid),
        journey.load_answers(store, rid),
        contact.requests_for(store, rid),
    )
    assert "Best time: weekday mornings" in md


def test_neighbours_follow_the_filtered_queue(store, share_reflection):
    low = share_reflection({"company": "A", "final_rejections_6m": "3+"})
    high = share_reflection(HEAVY, asked_to_talk=True, contact_name="Maya")
    other = share_reflection({"company": "C", "pipeline": [{"company": "X"}]})
    order = [row["id"] for row in queue.iter_queue(store)]
    assert order[0] == high
    middle = order[1]
    assert queue.neighbours(store, None, middle) == (order[0], order[2])
    assert queue.neighbours(store, None, order[0]) == (None, order[1])
    assert queue.neighbours(store, None, order[2]) == (order[1], None)
    only_final = queue.QueueFilter(reason="repeated_final_rejections")
    filtered = [row["id"] for row in queue.iter_queue(store, only_final)]
    assert other not in filtered and set(filtered) == {low, high}
    assert queue.neighbours(store, only_final, filtered[0]) == (None, filtered[1])
    assert queue.neighbours(store, only_final, other) == (None, None)


def _open_detail(app, store, rid):
    accounts.add_consultant(store, "alice", PASSWORD, display_name="Alice")
    at = app.run()
    at.switch_page("views/staff_login.py").run()
    at.text_input(key="login_username").input("alice")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.session_state["selected_reflection"] = rid
    at.switch_page("views/consultant_detail.py").run()
    assert not at.exception
    return at


def test_detail_page_summary_next_previous_and_mark_contacted(app, store, share_reflection):
    first = share_reflection(HEAVY, asked_to_talk=True, contact_name="Maya")
    second = share_reflection({"company": "Globex", "role": "Analyst"})
    at = _open_detail(app, store, first)
    assert (
        at.title[0].value.replace("\\", "")
        == f"Senior Data Analyst at Northwind · Reflection #{first}"
    )
    summary = at.info[0].value.replace("\\", "")
    assert "Wants contact: E-mail, weekday mornings" in summary
    assert "Flags: 2 final-stage rejections" in summary
    # Scores once: the chart's caption has the overall, the document has no score table.
    document_html = "\n".join(str(el.proto.body) for el in at.get("html"))
    assert "Score when shared" not in document_html
    assert at.button(key="detail_previous").disabled

    at.button(key=f"detail_contacted_{first}").click().run()
    assert not at.exception
    assert review.submitted_reflection(store, first)["review_status"] == "contacted"
    assert at.button(key=f"detail_contacted_{first}").disabled

    at.button(key="detail_next").click().run()
    assert not at.exception
    assert at.title[0].value.replace("\\", "") == f"Analyst at Globex · Reflection #{second}"
    assert at.button(key="detail_next").disabled
    at.button(key="detail_previous").click().run()
    assert at.title[0].value.replace("\\", "").endswith(f"#{first}")


def test_follow_up_date_is_set_audited_and_due_ones_come_first(app, store, share_reflection):
    import datetime as dt

    first = share_reflection(HEAVY, asked_to_talk=True, contact_name="Maya")
    later = share_reflection({"company": "Globex", "role": "Analyst"})
    at = _open_detail(app, store, first)
    at.date_input(key=f"detail_follow_up_{first}").set_value(dt.date(2020, 1, 2)).run()
    at.button(key=f"detail_follow_up_save_{first}").click().run()
    assert not at.exception
    assert review.submitted_reflection(store, first)["follow_up_on"] == "2020-01-02"
    actions = [r["action"] for r in review.audit_trail(store, first)]
    assert "follow_up_set" in actions

    today = dt.date(2020, 1, 2)
    assert [r["id"] for r in queue.follow_ups_due(store, today)] == [first]
    assert queue.follow_ups_due(store, today - dt.timedelta(days=1)) == []
    session = accounts_session(store)
    review.set_follow_up(store, session, later, dt.date(2019, 12, 31))
    assert [r["id"] for r in queue.follow_ups_due(store, today)] == [later, first]

    # The queue page lists the due follow-ups above everything else.
    at.switch_page("views/consultant_queue.py").run()
    assert not at.exception
    due = [b for b in at.button if b.key and b.key.startswith("q_follow_up_")]
    assert [b.key for b in due] == [f"q_follow_up_{later}", f"q_follow_up_{first}"]

    at.switch_page("views/consultant_detail.py").run()
    at.button(key=f"detail_follow_up_clear_{first}").click().run()
    assert review.submitted_reflection(store, first)["follow_up_on"] is None


def accounts_session(store):
    import datetime as dt

    from core.staff_sessions import StaffSession

    now = dt.datetime.now(dt.UTC)
    return StaffSession(1, 1, "alice", "Alice", now, now, via_sso=False)
