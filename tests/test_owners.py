"""Each label lives with the module that owns its fact; the others only borrow it."""

from __future__ import annotations

from pathlib import Path

from core import admin, campaign, document, overview, questionnaire, queue, reasons, review

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for folder in ("core", "ui", "views") for p in (ROOT / folder).rglob("*.py")]


def defined_in(text: str) -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in SOURCES if text in p.read_text()]


def test_status_labels_belong_to_review():
    assert list(review.STATUS_LABELS) == ["new", "in_progress", "contacted", "closed"]
    assert tuple(review.STATUS_LABELS) == review.REVIEW_STATUSES
    assert admin.REVIEW_STATUSES is review.REVIEW_STATUSES
    assert queue.STATUS_LABELS is review.STATUS_LABELS
    assert document.STATUS_LABELS is review.STATUS_LABELS
    assert defined_in('"in_progress": "In progress"') == ["core/review.py"]


def test_reasons_and_their_words_belong_to_the_reasons_table():
    from core import contact, queue_export

    assert queue.REASON_LABELS is reasons.REASON_LABELS
    assert queue_export.iter_queue is queue.iter_queue  # the CSV's reasons are the queue's
    assert document.for_staff is reasons.for_staff and document.flags is reasons.flags
    assert reasons.ASKED_TO_TALK.reason() == contact.ASKED_TO_TALK
    assert defined_in('label="No other live options"') == ["core/reasons.py"]
    stored = {"code": "no_live_options", "text": "You have no other live opportunities yet."}
    assert reasons.for_staff(stored) == "No other live options"
    assert reasons.for_staff({**stored, "for_staff": "Nothing else live"}) == "Nothing else live"


def test_each_rule_of_the_questionnaire_and_reasons_is_written_once():
    # What weighs heavy is the score's threshold; which worries offer a consultant, and
    # how final-stage rejections rank, are rows of the reasons table.
    assert defined_in("HEAVY_AT = ") == ["core/scoring.py"]
    assert defined_in('"not_good_enough": "not good enough"') == ["core/reasons.py"]
    assert defined_in('"3+": 30') == ["core/reasons.py"]
    assert not defined_in('in ("2", "3+")')
    # The dates an answer may hold, and LinkedIn's limits.
    assert defined_in("dt.date(2000, 1, 1)") == ["core/questionnaire/questions.py"]
    assert defined_in("dt.date(2100, 12, 31)") == ["core/questionnaire/questions.py"]
    assert defined_in("LINKEDIN_NOTE_LIMIT = ") == ["core/questionnaire/questions.py"]
    assert defined_in("LinkedIn allows") == ["core/questionnaire/questions.py"]
    # Step numbers and titles: views and pages read them from the questionnaire.
    assert not defined_in(" of 5")
    for step in questionnaire.STEPS:
        assert defined_in(f'"{step.title}"') == ["core/questionnaire/questions.py"]


def test_band_and_stage_labels_belong_to_the_questionnaire():
    assert overview.BAND_LABELS is questionnaire.BAND_LABELS
    assert queue.BAND_LABELS is questionnaire.BAND_LABELS
    assert overview.NO_BAND is questionnaire.NO_BAND
    assert defined_in('"Not enough answers"') == ["core/questionnaire/wording.py"]


def test_the_no_campaign_label_belongs_to_campaign():
    assert queue.NO_CAMPAIGN is campaign.NO_CAMPAIGN
    assert admin.NO_CAMPAIGN is campaign.NO_CAMPAIGN
    assert defined_in('NO_CAMPAIGN = "') == ["core/campaign.py"]


def test_one_clock_and_one_timestamp_for_every_module():
    import datetime as dt

    from core import audit, clock, password_login, staff_sessions

    assert password_login.stamp is clock.stamp and review.stamp is clock.stamp
    assert review.audit is audit.record and password_login.audit is audit.record
    assert staff_sessions.system_clock is clock.system_clock
    moment = dt.datetime(2026, 11, 26, 15, 0, 30, 999, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert clock.stamp(moment) == "2026-11-26T14:00:30+00:00"
    assert clock.parse_stamp(clock.stamp(moment)) == moment.replace(microsecond=0)
    assert defined_in('isoformat(timespec="seconds")') == ["core/clock.py"]
    # Nothing in core, ui or views reads the time but the one clock.
    for reading in ("datetime.now(", "date.today(", "time.time(", "utcnow(", "datetime('now')"):
        assert defined_in(reading) in ([], ["core/clock.py"]), reading


def test_a_day_is_a_utc_day():
    import datetime as dt

    from core import clock

    # New Year's morning in Sydney is still New Year's Eve in UTC, and so in the app.
    sydney_morning = dt.datetime(2027, 1, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=11)))
    assert clock.today(lambda: sydney_morning) == dt.date(2026, 12, 31)


def test_blank_answers_are_defined_once():
    from core import journey, progress, validation

    assert journey.is_blank is validation.is_blank
    assert progress.is_blank is validation.is_blank
    assert all(validation.is_blank(v) for v in (None, "", [], "   "))
    assert not any(validation.is_blank(v) for v in (0, "x", [{"a": 1}], 3))


def test_consultant_views_read_like_the_screen():
    # Views lay out sections; helpers live in ui/.
    for view in (ROOT / "views").glob("*.py"):
        assert len(view.read_text().splitlines()) <= 150, view.name


def test_an_edited_draft_is_defined_once():
    from core import drafts

    assert drafts.is_edited("My own words") and not drafts.is_edited("  \n")
    assert not drafts.is_edited(None) and not drafts.is_edited(["a list"])
    assert defined_in("def is_edited") == ["core/drafts.py"]
    assert defined_in("isinstance(saved, str)") == ["core/drafts.py"]
    assert not defined_in("saved.strip()")
