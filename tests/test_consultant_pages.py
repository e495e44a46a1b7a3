"""The consultant pages through AppTest: hidden until login, guarded, and working."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from core import accounts, contact, document, journey, password_login, review, sso, staff_sessions
from core.clock import system_clock
from core.limits import LOCAL_CLIENT, UNLIMITED
from core.safe_html import escape_md
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "harbour lights at dusk"
CONSULTANT_PAGES = (
    "views/consultant_queue.py",
    "views/consultant_detail.py",
    "views/consultant_overview.py",
)


@pytest.fixture
def alice(make_consultant) -> int:
    return make_consultant("alice", "Alice")


@pytest.fixture
def shared_reflection(share_reflection):
    """A reflection from the blog campaign, asking to talk, with markup in its answers."""

    def share(company: str = "Acme Ltd", role: str = "Data Analyst") -> int:
        return share_reflection(
            {
                "company": company,
                "role": role,
                "feedback_received": "<script>alert(1)</script> more SQL",
            },
            asked_to_talk=True,
            campaign={"utm_campaign": "job-rejection"},
        )

    return share


def all_text(at) -> str:
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
    ):
        parts += [str(getattr(el, "value", "")) for el in getattr(at, kind)]
    parts += [str(el.proto.body) for el in at.get("html")]
    return "\n".join(parts)


def log_in(app, username="alice", password=PASSWORD):
    at = app.run()
    at.switch_page("views/staff_login.py").run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()  # the form's submit button
    return at


def pin(at, page):
    # AppTest keeps running the page last named in at.switch_page(), whatever the script
    # switched to; name the page the script went to so later runs stay there.
    return at.switch_page(page).run()


def test_logged_out_visitor_cannot_reach_consultant_pages(app, store, shared_reflection):
    shared_reflection(company="Confidential Corp")
    at = app.run()
    assert not at.exception
    sidebar = " ".join(str(getattr(el, "value", "")) for el in at.sidebar)
    assert "Queue" not in sidebar
    for page in CONSULTANT_PAGES:
        # Not in the navigation at all, so no URL leads there.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    assert "Confidential Corp" not in all_text(at)


@pytest.mark.parametrize("page", CONSULTANT_PAGES)
def test_each_page_guards_itself_when_run_directly(store, page, shared_reflection):
    from streamlit.testing.v1 import AppTest

    shared_reflection(company="Confidential Corp")
    at = AppTest.from_file(str(ROOT / page), default_timeout=30)
    at.session_state["selected_reflection"] = 1
    at.run()
    assert not at.exception
    assert "Confidential Corp" not in all_text(at)
    assert len(at.dataframe) == 0 and len(at.get("html")) == 0
    assert any("Please log in" in i.value for i in at.info)


def test_an_idle_session_is_ended_and_the_page_shows_nothing(app, store, alice, shared_reflection):
    shared_reflection(company="Confidential Corp")
    at = pin(log_in(app), "views/consultant_queue.py")
    assert len(at.dataframe) == 1
    # The server's session row decides, not anything kept in the browser session.
    row_id = at.session_state["consultant_session_row"]
    long_ago = at.session_state["consultant"].last_seen - dt.timedelta(minutes=31)
    with store.write() as conn:
        conn.execute(
            "UPDATE consultant_sessions SET last_seen_at = ? WHERE id = ?",
            (long_ago.isoformat(timespec="seconds"), row_id),
        )
    at.run()
    assert not at.exception
    assert "consultant" not in at.session_state
    assert len(at.dataframe) == 0
    assert "Confidential Corp" not in all_text(at)
    assert any("away for a while" in i.value for i in at.info)
    assert ("alice", "session_ended") in [(r["actor"], r["action"]) for r in audit_log(store)]


def test_login_through_the_form_opens_the_queue(app, store, alice, shared_reflection):
    rid = shared_reflection()
    at = log_in(app)
    assert not at.exception
    assert at.session_state["consultant"].username == "alice"
    assert [t.value for t in at.title] == ["Reflections to review"]
    frame = at.dataframe[0].value
    assert list(frame["#"]) == [rid]
    assert "Data Analyst at Acme Ltd" in list(frame["Role and company"])
    assert "Asked to talk" in frame["Reasons"].iloc[0]


def test_wrong_password_and_unknown_user_get_the_same_message(app, store, alice):
    at = log_in(app, password="not the password at all")
    wrong = [e.value for e in at.error]
    assert "consultant" not in at.session_state
    # The refused password does not stay in the box; the username does.
    assert at.text_input(key="login_password").value == ""
    assert at.text_input(key="login_username").value == "alice"
    at = log_in(app, username="nobody")
    unknown = [e.value for e in at.error]
    assert wrong == unknown == [password_login.REFUSED]


def test_disabled_account_gets_the_generic_refusal(app, store, alice):
    accounts.disable_consultant(store, "alice")
    at = log_in(app)
    assert [e.value for e in at.error] == [password_login.REFUSED]


def test_open_detail_add_note_and_change_status(app, store, alice, shared_reflection):
    rid = shared_reflection()
    at = log_in(app)
    at = pin(at, "views/consultant_queue.py")
    at.selectbox(key="q_pick").select(rid)
    at.button(key="q_open").click().run()
    assert not at.exception
    (title,) = [t.value for t in at.title]
    assert title.replace("\\", "") == f"Data Analyst at Acme Ltd · Reflection #{rid}"
    at = pin(at, "views/consultant_detail.py")
    # Left out: the app's own cookie call (ui/browser.py), the only html in
    # the main area allowed to run a script, which carries no candidate text.
    document = "\n".join(
        str(el.proto.body) for el in at.main.get("html") if not el.proto.unsafe_allow_javascript
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; more SQL" in document
    assert "<script>" not in document
    assert ("alice", "view") in [(r["actor"], r["action"]) for r in review.audit_trail(store, rid)]

    at.text_area(key=f"detail_note_{rid}").input("Rang her, she'd like CV help.")
    at.button(key=f"detail_note_add_{rid}").click().run()
    assert not at.exception
    assert [n["body"] for n in review.notes(store, rid)] == ["Rang her, she'd like CV help."]
    assert at.text_area(key=f"detail_note_{rid}").value == ""
    assert "Rang her, she'd like CV help." in all_text(at)

    at.selectbox(key=f"detail_status_{rid}").select("in_progress")
    at.button(key=f"detail_status_save_{rid}").click().run()
    assert not at.exception
    assert review.submitted_reflection(store, rid)["review_status"] == "in_progress"
    assert [(h["kind"], h["from"], h["to"]) for h in review.status_history(store, rid)] == [
        ("shared", "new", "new"),
        ("status", "new", "in_progress"),
    ]
    assert any("Status changed to In progress" in s.value for s in at.success)

    at.button(key=f"detail_assign_me_{rid}").click().run()
    assert review.submitted_reflection(store, rid)["assignee_id"] == alice


def test_empty_note_is_refused_next_to_the_box(app, store, alice, shared_reflection):
    rid = shared_reflection()
    at = pin(log_in(app), "views/consultant_queue.py")
    at.button(key="q_open").click().run()
    at = pin(at, "views/consultant_detail.py")
    at.button(key=f"detail_note_add_{rid}").click().run()
    assert any("empty" in e.value for e in at.error)
    assert review.notes(store, rid) == []


def test_queue_filters_and_search(app, store, alice, shared_reflection):
    shared_reflection(company="Acme Ltd")
    other = shared_reflection(company="Umbrella plc")
    at = pin(log_in(app), "views/consultant_queue.py")
    at.text_input(key="q_search").input("umbrella").run()
    assert list(at.dataframe[0].value["#"]) == [other]
    at.text_input(key="q_search").input("no such company").run()
    assert len(at.dataframe) == 0
    assert any("No shared reflections match" in i.value for i in at.info)


def test_logout_hides_the_pages_again(app, store, alice, shared_reflection):
    shared_reflection()
    at = pin(log_in(app), "views/consultant_queue.py")
    # "Log out" is the last entry of the consultant's own navigation; its button logs out.
    at.switch_page("views/consultant_logout.py").run()
    at.button(key="logout_confirm").click().run()
    assert not at.exception
    assert "consultant" not in at.session_state
    assert len(at.dataframe) == 0
    assert [t.value for t in at.title] == ["Staff login"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/consultant_queue.py")
    assert ("alice", "logout") in [(r["actor"], r["action"]) for r in audit_log(store)]


def test_overview_page_draws(app, store, alice, shared_reflection):
    shared_reflection()
    at = log_in(app)
    at.switch_page("views/consultant_overview.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    assert at.metric[0].value == "1"
    # The three charts come from ui/charts.py, built once per set of rows.
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    axes = [spec["encoding"]["y"].get("field") for spec in specs]
    # No response-time chart yet: the one request is still inside its target.
    assert axes == ["count", "campaign", "band"]


def test_queue_detail_and_overview_show_response_targets(
    app, store, alice, shared_reflection, clock
):
    # Fixed: an urgent request (asked to talk) that arrived at opening time, 09:00 UTC on a
    # Tuesday (no summer time in December), is due at that day's close; looked at on
    # Friday at 09:00 it is two working days late.
    rid = shared_reflection()
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET submitted_at = ?, respond_by = ? WHERE id = ?",
            ("2026-12-01T09:00:00+00:00", "2026-12-01T17:00:00+00:00", rid),
        )
    friday = dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC)
    clock.advance(seconds=(friday - clock.now).total_seconds())
    at = pin(log_in(app), "views/consultant_queue.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Due by"].iloc[0] == "Overdue by 2 working days (was due Tue 1 Dec, 17:00)"
    at.selectbox(key="q_pick").select(rid)
    at.button(key="q_open").click().run()
    at = pin(at, "views/consultant_detail.py")
    assert "Waiting 3 working days for a first contact" in all_text(at)
    at.switch_page("views/consultant_overview.py").run()
    assert not at.exception
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    response = [s for s in specs if s["encoding"]["y"].get("field") == "within_target_pct"]
    assert response
    # The same numbers as a table, in words: one week, one request, answered late.
    weeks = at.dataframe[0].value
    assert weeks.to_dict("records") == [
        {
            "Week starting": "2026-11-30",
            "Requests": 1,
            "Answered": 0,
            "Within target": "0%",
            "Median time to first contact": "—",
        }
    ]


# ---------------------------------------------------------------- single sign-on

AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only-cookie-secret",
        "client_id": "bounce-back",
        "client_secret": "test-only",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
}


ISSUER = "https://idp.example"


def sso_app(app, monkeypatch, user):
    monkeypatch.setenv("BOUNCE_BACK_SSO_ALLOWED", "@agency.example, boss@elsewhere.example")
    monkeypatch.setenv("BOUNCE_BACK_SSO_ISSUER", ISSUER)
    app.secrets = AUTH_SECRETS
    app.user = user
    return app


def test_sso_button_shows_only_when_configured(app, monkeypatch):
    at = app.run()
    at.switch_page("views/staff_login.py").run()
    assert "Sign in with single sign-on" not in [b.label for b in at.button]
    at = sso_app(app, monkeypatch, {"is_logged_in": False}).run()
    at.switch_page("views/staff_login.py").run()
    assert not at.exception
    assert "Sign in with single sign-on" in [b.label for b in at.button]


def test_sso_user_on_the_allow_list_becomes_a_consultant(
    app, store, monkeypatch, shared_reflection
):
    rid = shared_reflection()
    user = {
        "is_logged_in": True,
        "iss": ISSUER,
        "sub": "ann-0001",
        "email": "Ann@Agency.example",
        "email_verified": True,
        "name": "Ann Lee",
        "iat": int(system_clock().timestamp()),  # just back from the provider
    }
    at = sso_app(app, monkeypatch, user).run()
    assert not at.exception
    session = at.session_state["consultant"]
    assert session.via_sso and session.display_name == "Ann Lee"
    at = pin(at, "views/consultant_queue.py")
    assert list(at.dataframe[0].value["#"]) == [rid]


@pytest.mark.parametrize("issued_minutes_ago", [sso.SSO_FRESH_MINUTES + 1, 60 * 24 * 29, None])
def test_an_old_single_sign_on_identity_is_sent_back_to_the_provider(
    app, store, monkeypatch, issued_minutes_ago
):
    """Streamlit keeps `st.user` for 30 days: an identity the provider issued long ago
    (or without saying when) starts no session, and the page offers the provider again."""
    user = {
        "is_logged_in": True,
        "iss": ISSUER,
        "sub": "ann-0001",
        "email": "ann@agency.example",
        "name": "Ann Lee",
    }
    if issued_minutes_ago is not None:
        user["iat"] = int(system_clock().timestamp()) - 60 * issued_minutes_ago
    at = sso_app(app, monkeypatch, user).run()
    assert not at.exception
    assert "consultant" not in at.session_state
    at.switch_page("views/staff_login.py").run()
    assert [i.value for i in at.info] == [sso.SSO_AGAIN]
    assert "Sign in with single sign-on" in [b.label for b in at.button]
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM consultant_sessions").fetchone()[0] == 0


def test_sso_user_not_on_the_allow_list_is_refused(app, store, monkeypatch, shared_reflection):
    shared_reflection()
    user = {"is_logged_in": True, "iss": ISSUER, "sub": "eve", "email": "eve@evil.example"}
    at = sso_app(app, monkeypatch, user).run()
    assert "consultant" not in at.session_state
    at.switch_page("views/staff_login.py").run()
    assert any("isn't on the list" in i.value for i in at.info)
    assert accounts.list_consultants(store) == []
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/consultant_queue.py")


def test_sso_user_with_an_unverified_address_is_refused(app, store, monkeypatch):
    user = {
        "is_logged_in": True,
        "iss": ISSUER,
        "sub": "ann-0001",
        "email": "ann@agency.example",
        "email_verified": False,
    }
    at = sso_app(app, monkeypatch, user).run()
    assert "consultant" not in at.session_state
    at.switch_page("views/staff_login.py").run()
    assert any("hasn't confirmed the address" in i.value for i in at.info)
    assert accounts.list_consultants(store) == []


def test_csv_export_is_built_and_audited_only_when_downloaded(app, store, alice, shared_reflection):
    shared_reflection()
    at = pin(log_in(app), "views/consultant_queue.py")
    assert not at.exception
    (button,) = at.get("download_button")
    # Deferred: no file exists for the page view, so nothing is exported or audited yet.
    assert not button.proto.url
    assert "q_csv" not in at.session_state
    assert "export" not in [r["action"] for r in audit_log(store)]


def test_every_download_click_writes_an_audit_row_first(store, alice, shared_reflection):
    rid = shared_reflection()
    session = password_login.authenticate(
        store, "alice", PASSWORD, Settings(), client=LOCAL_CLIENT
    ).session
    built = []
    produce = review.audited_download(
        store,
        session,
        "queue csv",
        lambda: built.append(1) or b"data",
        rid,
        still_live=lambda: None,
    )
    assert built == [] and "export" not in [r["action"] for r in audit_log(store)]
    assert produce() == b"data" and produce() == b"data"
    exports = [r for r in audit_log(store) if r["action"] == "export"]
    assert [(r["actor"], r["detail"], r["reflection_id"]) for r in exports] == [
        ("alice", "queue csv", rid)
    ] * 2


def reflection_row(store, rid):
    with store.read() as conn:
        return dict(conn.execute("SELECT * FROM reflections WHERE id = ?", (rid,)).fetchone())


def test_detail_shows_the_step_scores_stored_when_shared(app, store, alice, shared_reflection):
    rid = shared_reflection()
    with store.write() as conn:
        conn.execute(
            "UPDATE reflections SET score_feedback = 25, score_learning = 80 WHERE id = ?",
            (rid,),
        )
    at = pin(log_in(app), "views/consultant_queue.py")
    at.selectbox(key="q_pick").select(rid)
    at.button(key="q_open").click().run()
    at = pin(at, "views/consultant_detail.py")
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    bars = json.loads(charts[0].proto.spec)["layer"][0]["encoding"]["x"]
    assert bars["field"] == "score" and bars["scale"]["domain"] == [0, 100]
    # Streamlit moves the rows out of the spec; the ones handed over come from core.
    assert [row["score"] for row in document.score_rows(reflection_row(store, rid))] == [25, 80]


def open_detail(app, rid):
    at = pin(log_in(app), "views/consultant_queue.py")
    at.selectbox(key="q_pick").select(rid)
    at.button(key="q_open").click().run()
    return pin(at, "views/consultant_detail.py")


def test_detail_shows_what_was_shared_not_a_note_written_after(
    app, store, alice, shared_reflection
):
    rid = shared_reflection()
    journey.save_answer(store, rid, "fit_learned", "A private afterthought")
    at = open_detail(app, rid)
    assert not at.exception
    text = all_text(at)
    assert "alert(1)" in text  # the shared answer, escaped
    assert "A private afterthought" not in text


def test_a_contact_request_without_sharing_opens_with_contact_details_only(app, store, alice):
    rid = journey.start(store, client=UNLIMITED).reflection_id
    journey.save_answer(store, rid, "company", "Private Employer")
    journey.save_answer(store, rid, "fit_learned", "Private words")
    contact.save_request(
        store,
        rid,
        contact.validate("Zoë", "zoe@example.com", "", "email", "Evenings", True),
        client=UNLIMITED,
    )
    at = pin(log_in(app), "views/consultant_queue.py")
    assert list(at.dataframe[0].value["Role and company"]) == [
        "Contact request (answers not shared)"
    ]
    at.selectbox(key="q_pick").select(rid)
    at.button(key="q_open").click().run()
    at = pin(at, "views/consultant_detail.py")
    assert not at.exception
    assert [t.value for t in at.title] == [f"Contact request #{rid}"]
    text = all_text(at)
    assert "zoe@example.com" in text and "Evenings" in text
    assert "Private" not in text
    at.selectbox(key=f"detail_status_{rid}").select("contacted")
    at.button(key=f"detail_status_save_{rid}").click().run()
    assert review.submitted_reflection(store, rid)["review_status"] == "contacted"


def test_a_colleague_name_is_escaped_in_the_confirmation(app, store, alice, shared_reflection):
    name = "**Bob** [click](javascript:alert(1))"
    bob = accounts.add_consultant(store, "bob", PASSWORD + " two", display_name=name)
    rid = shared_reflection()
    at = open_detail(app, rid)
    at.selectbox(key=f"detail_colleague_{rid}").select(bob)
    at.button(key=f"detail_assign_other_{rid}").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"Assigned to {escape_md(name)}."]


def nav_pages(at) -> list[str]:
    """The files of the pages this run's navigation registered, in order."""
    return [Path(str(info.get("script_path") or "")).stem for info in at._registered_pages.values()]


def test_a_logged_in_consultant_has_a_navigation_of_their_own(app, store, alice):
    at = app.run()
    assert "welcome" in nav_pages(at) and "consultant_queue" not in nav_pages(at)
    at = pin(log_in(app), "views/consultant_queue.py")
    assert nav_pages(at) == [
        "consultant_queue",
        "consultant_detail",
        "consultant_overview",
        "consultant_logout",
        "staff_login",
        "",  # the hidden page at "/" (a function, no file), which opens the queue
    ]
    for path in ("views/welcome.py", "views/step1_feedback.py", "views/plan.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)


def test_queue_and_detail_use_the_wide_layout(app, store, alice, monkeypatch, shared_reflection):
    import streamlit as st

    layouts: list[str] = []
    real = st.set_page_config

    def record(*args, **kwargs):
        layouts.append(kwargs.get("layout", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "set_page_config", record)
    rid = shared_reflection()
    at = app.run()
    assert "wide" not in layouts  # the candidate's pages stay centred
    at = pin(log_in(app), "views/consultant_queue.py")
    layouts.clear()
    at.run()
    assert layouts[-1] == "wide"
    at.session_state["selected_reflection"] = rid
    layouts.clear()
    pin(at, "views/consultant_detail.py")
    assert layouts[-1] == "wide"


def test_every_page_is_written_down_once():
    from ui import pages

    assert len(pages.BY_TITLE) == len(pages.ALL)
    assert len({spec.path for spec in pages.ALL}) == len(pages.ALL)
    assert len({spec.url_path for spec in pages.ALL}) == len(pages.ALL)
    for spec in pages.ALL:
        assert (ROOT / spec.path).is_file(), spec.path


def test_the_detail_page_speaks_about_the_candidate(app, store, alice, shared_reflection):
    rid = shared_reflection()  # no other live opportunities given
    text = all_text(open_detail(app, rid))
    assert "No other live options" in text
    assert "You have no other live opportunities" not in text
    assert "You asked to talk" not in text and "Asked to be contacted" in text


def test_empty_queue_cells_are_a_dash_not_none(app, store, alice, shared_reflection):
    shared_reflection()
    at = pin(log_in(app), "views/consultant_queue.py")
    table = at.dataframe[0].value
    cells = [table[column].iloc[0] for column in table.columns]
    assert all(cell is not None and str(cell) not in ("None", "nan") for cell in cells), cells
    assert table["Assigned to"].iloc[0] == "—" and table["Score"].iloc[0] == "—"


def audit_log(store) -> list[dict]:
    """The audit log, newest first."""
    with store.read() as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM audit_log ORDER BY id DESC")]


# ------------------------------------------------- ended sessions in an open tab


def disable(store, alice):
    accounts.disable_consultant(store, "alice")


def log_out_in_another_tab(store, alice):
    staff_sessions.end_consultant_sessions(store, alice)


ENDINGS = {
    "disabled": (disable, "This account has been disabled"),
    "logged out elsewhere": (log_out_in_another_tab, "logged out (from this or another tab)"),
}


# The page's buttons that change something; each callback runs before the page script.
CHANGES = (
    "detail_note_add_{}",
    "detail_status_save_{}",
    "detail_contacted_{}",
    "detail_assign_other_{}",
    "detail_follow_up_save_{}",
)


@pytest.mark.parametrize("button", CHANGES)
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_an_open_detail_page_of_an_ended_session_changes_nothing(
    app, store, alice, make_consultant, shared_reflection, ending, button
):
    make_consultant("bob", "Bob")  # a colleague to assign to
    rid = shared_reflection()
    end, message = ENDINGS[ending]
    at = open_detail(app, rid)
    at.text_area(key=f"detail_note_{rid}").input("Written after the end.")
    at.selectbox(key=f"detail_status_{rid}").select("closed")
    at.date_input(key=f"detail_follow_up_{rid}").set_value(dt.date(2030, 1, 2))
    before = audit_log(store)[0]["id"]
    end(store, alice)
    at.button(key=button.format(rid)).click().run()
    assert not at.exception
    assert any(message in i.value for i in at.info)
    assert "consultant" not in at.session_state
    assert "Written after the end." not in all_text(at)
    assert review.notes(store, rid) == []
    row = review.submitted_reflection(store, rid)
    assert (row["review_status"], row["assignee_id"], row["follow_up_on"]) == ("new", None, None)
    assert review.status_history(store, rid)[-1]["kind"] == "shared"
    changes = {"note_added", "status_changed", "assigned", "follow_up_set"}
    assert not [r for r in audit_log(store) if r["id"] > before and r["action"] in changes]


def capture_downloads(monkeypatch) -> dict[str, object]:
    """The `data` each download button of a run is given, by key (AppTest has no media
    server, so the click itself cannot be made here)."""
    import streamlit as st

    given: dict[str, object] = {}
    real = st.download_button

    def record(label, data, *args, **kwargs):
        given[kwargs.get("key")] = data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return given


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_an_open_queue_of_an_ended_session_exports_nothing(
    app, store, alice, shared_reflection, monkeypatch, ending
):
    shared_reflection(company="Acme Ltd")
    downloads = capture_downloads(monkeypatch)
    pin(log_in(app), "views/consultant_queue.py")
    produce = downloads["q_csv_download"]
    assert b"Acme Ltd" in produce()  # live: the file, audited
    ENDINGS[ending][0](store, alice)
    shared_reflection(company="Shared After The End")
    with pytest.raises(staff_sessions.SessionEnded):
        produce()
    exports = [r for r in audit_log(store) if r["action"] == "export"]
    assert len(exports) == 1


def test_an_open_reflection_of_a_disabled_consultant_downloads_nothing(
    app, store, alice, shared_reflection, monkeypatch
):
    rid = shared_reflection()
    downloads = capture_downloads(monkeypatch)
    open_detail(app, rid)
    produce = downloads[f"detail_md_{rid}"]
    disable(store, alice)
    with pytest.raises(staff_sessions.SessionEnded):
        produce()
    assert "export" not in [r["action"] for r in audit_log(store)]


def test_opening_the_logout_page_does_not_log_out(app, store, alice, shared_reflection):
    shared_reflection()
    at = pin(log_in(app), "views/consultant_queue.py")
    row_id = at.session_state["consultant_session_row"]
    # What another site's link to /logout does: open the page.
    at.switch_page("views/consultant_logout.py").run()
    assert not at.exception
    assert at.session_state["consultant"].username == "alice"
    assert staff_sessions.staff_session_state(store, row_id, Settings()) is None
    assert "logout" not in [r["action"] for r in audit_log(store)]
    assert [b.label for b in at.button if b.key == "logout_confirm"] == ["Log out"]
    at.button(key="logout_confirm").click().run()
    assert "consultant" not in at.session_state
    assert staff_sessions.staff_session_state(store, row_id, Settings()) == "logout"
    assert ("alice", "logout") in [(r["actor"], r["action"]) for r in audit_log(store)]


def test_the_queue_says_when_notifications_are_stuck(app, store, alice, shared_reflection, clock):
    shared_reflection()  # asked to talk: a notification row, never sent here
    at = log_in(app)
    assert not [w for w in at.warning if "notification" in str(w.value)]
    clock.advance(minutes=20)
    at = pin(at, "views/consultant_queue.py")
    (warning,) = [w for w in at.warning if "notification" in str(w.value)]
    assert warning.value.startswith("1 notification to consultants has been waiting")
