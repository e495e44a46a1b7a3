"""Message drafts: tailored to the answers, neutral when answers are missing, and safe."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from core import drafts
from core.questionnaire import FEEDBACK_CONTACTS, LINKEDIN_NOTE_LIMIT, STAGES

FULL = {
    "company": "Acme Ltd",
    "role": "Data Analyst",
    "stage_reached": "final_interview",
    "feedback_contact": "hiring_manager",
    "feedback_contact_name": "Priya",
}


def test_feedback_request_names_company_role_stage_and_person():
    draft = drafts.feedback_request(FULL, "Harbour Recruitment")
    assert draft.subject == "Feedback on my interview for Data Analyst at Acme Ltd"
    assert draft.body.startswith("Hi Priya,")
    assert "the Data Analyst role at Acme Ltd" in draft.body
    assert "after the final interview" in draft.body
    # The request must plainly ask for specific, actionable points.
    assert "specific points I could work on" in draft.body


def test_feedback_request_wording_differs_by_who_is_asked():
    bodies = {}
    for key, _ in FEEDBACK_CONTACTS:
        bodies[key] = drafts.feedback_request({**FULL, "feedback_contact": key}, "X").body
    assert len(set(bodies.values())) == len(FEEDBACK_CONTACTS)
    assert "feedback often comes through you" in bodies["recruiter"]
    assert "ask the interviewers at Acme Ltd" in bodies["recruiter"]
    assert "As you led the interviews" in bodies["hiring_manager"]
    assert "ask the interview panel" in bodies["hr"]


def test_every_stage_reads_naturally_in_the_request():
    for key, label in STAGES:
        body = drafts.feedback_request({**FULL, "stage_reached": key}, "X").body
        assert f"after the {label.lower()}" in body


def test_empty_answers_give_neutral_wording_without_none():
    request = drafts.feedback_request({}, "X")
    reply = drafts.rejection_reply({})
    note = drafts.linkedin_note({})
    for text in (request.subject, request.body, reply.subject, reply.body, note):
        assert "None" not in text
        assert "{" not in text
        assert "  " not in text.replace("\n", "")
    assert request.body.startswith("Hello,")
    assert request.subject == "Feedback on my recent interview"
    assert "the role" in request.body
    assert reply.subject == "Thank you for letting me know"


def test_partial_answers_degrade_gracefully():
    only_company = drafts.feedback_request({"company": "Acme"}, "X")
    assert only_company.subject == "Feedback on my interview with Acme"
    assert "the role at Acme" in only_company.body
    only_role = drafts.rejection_reply({"role": "Designer"})
    assert only_role.subject == "Thank you – Designer"
    assert "the Designer role" in only_role.body
    # Asking the employer directly with no company named: "your company", not a blank.
    hm = drafts.feedback_request({"feedback_contact": "hiring_manager", "role": "Designer"}, "X")
    assert "the Designer role at your company" in hm.body


def test_names_with_line_breaks_are_kept_on_one_line():
    draft = drafts.feedback_request({**FULL, "feedback_contact_name": "Sam\n\n  Patel"}, "X")
    assert draft.body.startswith("Hi Sam,\n")  # greeted by first name, on one line


def test_rejection_reply_is_gracious_and_keeps_the_door_open():
    reply = drafts.rejection_reply(FULL)
    assert reply.subject == "Thank you – Data Analyst at Acme Ltd"
    assert reply.body.startswith("Hi Priya,")
    assert "Thank you for letting me know" in reply.body
    assert "considered for future roles" in reply.body
    assert "keep me in mind" in reply.body
    assert "as far as the final interview" in reply.body


def test_linkedin_note_uses_first_named_contact_and_fits():
    answers = {**FULL, "contacts": [{"name": ""}, {"name": "Jo Bloggs"}]}
    note = drafts.linkedin_note(answers)
    assert note.startswith("Hi Jo,")
    assert "Data Analyst role at Acme Ltd" in note
    assert len(note) <= LINKEDIN_NOTE_LIMIT


def test_linkedin_note_shortens_long_names_but_ends_properly():
    answers = {"company": "C" * 120, "role": "R" * 120, "feedback_contact_name": "N" * 120}
    note = drafts.linkedin_note(answers)
    assert len(note) <= LINKEDIN_NOTE_LIMIT
    assert note.endswith("I'd like to stay in touch.")
    assert "…" in note
    assert note.startswith("Hi N")


names = st.text(min_size=0, max_size=400)


@settings(max_examples=300, deadline=None)
@given(name=names, role=names, company=names, contact=names)
def test_linkedin_note_never_exceeds_the_limit(name, role, company, contact):
    answers = {
        "feedback_contact_name": name,
        "role": role,
        "company": company,
        "contacts": [{"name": contact}],
    }
    note = drafts.linkedin_note(answers)
    assert 0 < len(note) <= LINKEDIN_NOTE_LIMIT
    assert "None" not in note or "None" in name + role + company + contact
    assert note.rstrip().endswith(".")


@settings(max_examples=100, deadline=None)
@given(limit=st.integers(min_value=30, max_value=400), name=names)
def test_linkedin_note_respects_any_limit(limit, name):
    assert len(drafts.linkedin_note({"feedback_contact_name": name}, limit=limit)) <= limit


def test_shortening_never_leaves_a_dangling_combining_mark():
    # "e" + combining acute, repeated: a cut between them would orphan the accent.
    name = "e\u0301" * 150
    note = drafts.linkedin_note({"feedback_contact_name": name})
    assert len(note) <= LINKEDIN_NOTE_LIMIT
    before_ellipsis = note.split("…")[0]
    assert before_ellipsis.endswith("e\u0301")


def test_mailto_encodes_subject_and_body():
    draft = drafts.Draft("Q&A: role #1 at A+B?", "Hi Jo,\n\nLine two – ünïcode 🙂 & more=yes")
    link = drafts.mailto_link(draft)
    assert link.startswith("mailto:?subject=")
    assert " " not in link and "\n" not in link and "#" not in link.split("?", 1)[1]
    query = parse_qs(urlsplit(link).query, keep_blank_values=True)
    assert query["subject"] == ["Q&A: role #1 at A+B?"]
    # RFC 6068: line breaks travel as CRLF.
    assert query["body"] == ["Hi Jo,\r\n\r\nLine two – ünïcode 🙂 & more=yes"]
    assert "%0D%0A" in link


def test_mailto_with_address():
    link = drafts.mailto_link(drafts.Draft("Hi", "Body"), "sam.patel+jobs@example.com")
    assert link == "mailto:sam.patel+jobs@example.com?subject=Hi&body=Body"
    assert drafts.mailto_link(drafts.Draft("Hi", "Body"), "  ").startswith("mailto:?")
    # An address cannot smuggle in extra headers.
    sneaky = drafts.mailto_link(drafts.Draft("Hi", "Body"), "a@b.com?bcc=evil@x.com")
    assert unquote(sneaky.split("?", 1)[0]) == "mailto:a@b.com?bcc=evil@x.com"
    assert sneaky.count("?") == 1


def test_overflow_counts_characters_over_the_limit():
    assert drafts.overflow("x" * LINKEDIN_NOTE_LIMIT) == 0
    assert drafts.overflow("x" * (LINKEDIN_NOTE_LIMIT + 7)) == 7
    assert drafts.overflow("") == 0
    assert drafts.overflow("🙂" * 11, limit=10) == 1


def test_mailto_is_offered_for_a_message_that_fits():
    draft = drafts.Draft("Feedback", "Hi Priya,\nThank you for your time.")
    assert drafts.mailto_link_if_fits("feedback_request", draft) == drafts.mailto_link(draft)


def test_mailto_is_not_built_for_text_validation_refuses():
    too_long = drafts.Draft("Feedback", "x" * 200_000)
    assert drafts.mailto_link_if_fits("feedback_request", too_long) is None
    broken = drafts.Draft("Feedback", "Hi\x00there")
    assert drafts.mailto_link_if_fits("feedback_request", broken) is None


@settings(max_examples=50, deadline=None)
@given(body=st.text(max_size=1500))
def test_a_mailto_link_is_either_short_enough_or_not_offered(body):
    link = drafts.mailto_link_if_fits("feedback_request", drafts.Draft("Feedback", body))
    assert link is None or len(link) <= drafts.MAILTO_MAX_LENGTH


def test_valid_text_that_encodes_too_long_is_copy_only():
    body = "é" * 400  # 400 characters, 2,400 once percent-encoded
    assert drafts.mailto_link_if_fits("feedback_request", drafts.Draft("Hi", body)) is None


# --- Ready to send: names, the reply's opening, asking once, thanking ----------------------

ASKED_FOR = "If you're able to share any feedback"


def test_signed_with_their_own_name_or_a_visible_placeholder():
    named = {**FULL, "own_name": "  Maya   Patel "}
    for draft in (
        drafts.feedback_request(named, "H"),
        drafts.rejection_reply(named),
        drafts.feedback_thanks(named),
    ):
        assert draft.body.endswith("\nMaya Patel")
        assert "[Your name]" not in draft.body
    assert drafts.rejection_reply(FULL).body.endswith("\n[Your name]")


def test_greeted_by_first_name_titles_kept():
    for given_name, greeting in (
        ("Tom Reyes", "Hi Tom,"),
        ("tom", "Hi tom,"),
        ("Dr Ada Okafor", "Hi Dr Okafor,"),
        ("Dr", "Hi Dr,"),
        ("Dr. Okafor", "Hi Dr. Okafor,"),
        ("", "Hello,"),
    ):
        answers = {**FULL, "feedback_contact_name": given_name}
        assert drafts.rejection_reply(answers).body.startswith(greeting + "\n")
        assert drafts.feedback_request(answers, "H").body.startswith(greeting + "\n")


def test_reply_thanks_them_for_the_outcome_not_for_the_role():
    body = drafts.rejection_reply(FULL).body
    assert "Thank you for letting me know the outcome of my application for the Data " in body
    assert "letting me know about the" not in body


def test_reply_asks_for_feedback_only_when_no_request_is_planned():
    nobody = {"company": "Acme Ltd", "role": "Data Analyst"}
    assert ASKED_FOR in drafts.rejection_reply(nobody).body
    assert ASKED_FOR in drafts.rejection_reply({**nobody, "feedback_status": "not_yet"}).body
    # The request goes to the same person the reply greets: ask once, in the request.
    assert ASKED_FOR not in drafts.rejection_reply(FULL).body
    assert ASKED_FOR not in drafts.rejection_reply({**nobody, "feedback_contact": "hr"}).body
    for status in ("asked", "received", "declined"):
        assert ASKED_FOR not in drafts.rejection_reply({**nobody, "feedback_status": status}).body


def test_feedback_received_gives_a_thank_you_note_instead_of_a_request():
    received = {**FULL, "feedback_status": "received", "action_points": [{"point": "x"}]}
    keys = [d.key for d in drafts.current_drafts(received, "H")]
    assert keys == ["feedback_thanks", "rejection_reply", "linkedin_note"]
    thanks = drafts.feedback_thanks(received)
    assert thanks.body.startswith("Hi Priya,\n")
    assert "Thank you for taking the time to share feedback" in thanks.body
    assert "already picked out a few points" in thanks.body
    assert "Could you share" not in thanks.body
    assert thanks.subject == "Thank you for the feedback – Data Analyst"
    waiting = {**FULL, "feedback_status": "asked"}
    assert [d.key for d in drafts.current_drafts(waiting, "H")][0] == "feedback_request"
