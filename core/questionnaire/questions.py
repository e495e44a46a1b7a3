"""What the questionnaire asks: every field, its limits and options, step by step.

Pages draw fields from here, validation checks answers against it, and each
self-rating carries, on its own row, how it counts and the words My plan uses for it,
so a new self-rating is one row here (plus its row in tests/test_questionnaire_table.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "textarea", "choice", "likert", "date", "table"]
ColumnKind = Literal["text", "url", "choice", "date", "rating"]
CountsAs = Literal["behaviour", "feeling"]

SHORT_TEXT = 120
LONG_TEXT = 4000
MESSAGE_TEXT = 3000
# LinkedIn's own limits: an invitation note, and a profile address (with room to spare).
LINKEDIN_NOTE_LIMIT = 200
LINKEDIN_URL_LIMIT = 300
# The dates an answer may hold. Wide enough for any real interview or plan, narrow
# enough that a slipped digit (0226, 20266) is caught as a typo.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"
    max_len: int = SHORT_TEXT
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: FieldKind
    help: str = ""
    max_len: int = SHORT_TEXT
    options: tuple[tuple[str, str], ...] = ()
    reverse: bool = False  # likert only: agreeing is the less helpful answer
    columns: tuple[Column, ...] = ()
    max_rows: int = 10
    item: str = "item"  # tables: what one row is called on its card ("Add another person")
    # Which part of its step's page draws it (the page lays the parts out, `ui.step`
    # draws their fields in this order): a new question joins a part with no change to
    # the page. Empty for fields the page draws itself: self-ratings, under their own
    # heading, and messages, drawn with the draft we suggest.
    section: str = ""
    placeholder: str = ""
    # Self-ratings only: something the candidate does (a behaviour, with how "what you've
    # done" names it and the action that would raise it) or how they feel (with the
    # acknowledging line My plan shows when it weighs heavy).
    counts_as: CountsAs = "feeling"
    done: str = ""
    lift: str = ""
    support: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    title: str
    dimension: str
    intro: str
    gist: str  # what the step gives, after its title in the Welcome page's list
    fields: tuple[Field, ...]


YES_NO = (("yes", "Yes"), ("no", "No"))

STAGES = (
    ("phone_screen", "Phone screen"),
    ("first_interview", "First interview"),
    ("second_interview", "Second interview"),
    ("final_interview", "Final interview"),
    ("assessment_centre", "Assessment centre"),
)

NEWS_CHANNELS = (
    ("phone", "A phone call"),
    ("email", "An e-mail"),
    ("recruiter", "Through the recruiter"),
    ("in_person", "In person or on video"),
    ("silence", "I heard nothing and had to chase"),
    ("other", "Another way"),
)

FEEDBACK_STATUS = (
    ("not_yet", "Not yet"),
    ("planning", "I'm planning to ask"),
    ("asked", "I've asked and I'm waiting"),
    ("received", "I've received feedback"),
    ("declined", "I asked, and they declined"),
)

FEEDBACK_CONTACTS = (
    ("recruiter", "The recruiter"),
    ("hiring_manager", "The hiring manager"),
    ("hr", "HR / the talent team"),
)

REPLIED = (
    ("no", "Not yet"),
    ("drafting", "I'm drafting it"),
    ("yes", "Yes, I've replied"),
)

CONNECTED = (("yes", "Connected"), ("requested", "Requested"), ("no", "Not yet"))

PIPELINE_STAGES = (
    ("researching", "Researching"),
    ("applied", "Applied"),
    ("interviewing", "Interviewing"),
    ("offer", "Offer"),
)

# The kinds a stumbled question is filed under: few and fixed, so the same kind coming
# up across interviews can be noticed, and the answer bank can offer earlier answers.
QUESTION_KINDS = (
    ("technical", "Technical"),
    ("competency", "Competency (a time when…)"),
    ("motivation", "Motivation (why us, why this role)"),
    ("salary", "Salary and terms"),
    ("case_study", "Case study or exercise"),
    ("other", "Something else"),
)

FINAL_REJECTIONS = (("0", "None"), ("1", "One"), ("2", "Two"), ("3+", "Three or more"))

CONTEXT_FIELDS: tuple[Field, ...] = (
    Field("company", "Which company was it?", "text"),
    Field("role", "What was the role?", "text"),
    Field("stage_reached", "How far did you get?", "choice", options=STAGES),
    Field("news_date", "When did you hear?", "date"),
    Field("news_channel", "How did the news reach you?", "choice", options=NEWS_CHANNELS),
)

STEPS: tuple[Step, ...] = (
    Step(
        key="feedback",
        number=1,
        title="Ask for feedback",
        dimension="feedback",
        intro=(
            "Going over the interview on your own rarely tells you much. The people who "
            "interviewed you know what tipped the decision, so ask them, through the "
            "recruiter or directly, for specific points you can act on."
        ),
        gist="points you can act on, from the people who decided",
        fields=(
            Field(
                "feedback_status",
                "Where are you with feedback?",
                "choice",
                options=FEEDBACK_STATUS,
                section="where",
            ),
            Field(
                "feedback_contact",
                "Who will you ask?",
                "choice",
                options=FEEDBACK_CONTACTS,
                section="where",
            ),
            Field(
                "feedback_contact_name",
                "Their name (optional)",
                "text",
                section="where",
                placeholder="e.g. Sam Patel",
            ),
            Field(
                "feedback_request",
                "Your feedback request",
                "textarea",
                max_len=MESSAGE_TEXT,
                help="We drafted this from your answers. Change anything you like.",
            ),
            Field(
                "feedback_received",
                "What did they say?",
                "textarea",
                max_len=LONG_TEXT,
                help="Paste or summarise the feedback, in your own words if you prefer.",
                section="came_back",
            ),
            Field(
                "action_points",
                "Up to three things to work on",
                "table",
                item="action point",
                max_rows=3,
                section="came_back",
                columns=(
                    Column("point", "Action point", max_len=200, required=True),
                    Column("due", "By when", kind="date"),
                ),
            ),
            Field(
                "takes_criticism",
                "I can hear criticism without taking it personally.",
                "likert",
                support=(
                    "Criticism straight after a no can sting. That's human, and it gets easier once"
                    " the points are written down as things to work on."
                ),
            ),
            Field(
                "replaying",
                "I keep replaying the interview in my head.",
                "likert",
                reverse=True,
                support=(
                    "Replaying the interview is very common after a no. Writing down what you'd do "
                    "differently (step 4) often helps it settle."
                ),
            ),
        ),
    ),
    Step(
        key="connections",
        number=2,
        title="Keep connections open",
        dimension="connections",
        intro=(
            "Many people find their next role through someone they already know. A warm "
            "reply and a connection request keep the door open, and a better-fitting "
            "role at the same company may come up later."
        ),
        gist="a gracious reply that leaves the door open",
        fields=(
            Field(
                "replied_to_rejection",
                "Have you replied to the rejection?",
                "choice",
                options=REPLIED,
                section="reply",
            ),
            Field(
                "contacts",
                "People worth staying in touch with",
                "table",
                item="person",
                max_rows=10,
                section="people",
                columns=(
                    Column("name", "Name", required=True),
                    Column("role", "Their role"),
                    Column("linkedin", "LinkedIn URL", kind="url", max_len=LINKEDIN_URL_LIMIT),
                    Column("connected", "Connected?", kind="choice", options=CONNECTED),
                    Column("next_check_in", "Next check-in", kind="date"),
                ),
            ),
            Field(
                "rejection_reply", "Your reply to the rejection", "textarea", max_len=MESSAGE_TEXT
            ),
            Field(
                "linkedin_note",
                "Your LinkedIn invitation note",
                "textarea",
                max_len=LINKEDIN_NOTE_LIMIT,
                help=f"LinkedIn allows {LINKEDIN_NOTE_LIMIT} characters in a note, so the box "
                "stops there.",
            ),
            Field(
                "keeps_in_touch",
                "I stay in touch with people I meet at interviews.",
                "likert",
                counts_as="behaviour",
                done="You stay in touch with people you meet at interviews",
                lift="Send a short, friendly note to someone you met at interview (step 2)",
            ),
            Field(
                "would_apply_again",
                "I'd apply to this company again if a better-fitting role came up.",
                "likert",
                support="It's fine not to want to go back there for now. Fit works both ways.",
            ),
        ),
    ),
    Step(
        key="options",
        number=3,
        title="Keep your options open",
        dimension="options",
        intro=(
            "Putting everything on one opening makes each no hurt more. One or two other "
            "live options keep your momentum, and a CV shaped for each one beats the "
            "same CV sent everywhere."
        ),
        gist="other openings beyond this one role",
        fields=(
            Field(
                "pipeline",
                "Other opportunities you're pursuing",
                "table",
                item="opportunity",
                max_rows=15,
                section="pipeline",
                columns=(
                    Column("company", "Company", required=True),
                    Column("role", "Role"),
                    Column("stage", "Stage", kind="choice", options=PIPELINE_STAGES),
                    Column("cv_tailored", "CV tailored?", kind="choice", options=YES_NO),
                    Column("next_step", "Next step by", kind="date"),
                ),
            ),
            Field(
                "actively_searching",
                "I'm actively looking at other openings.",
                "likert",
                counts_as="behaviour",
                done="You're looking at other openings",
                lift="Set aside half an hour to look at other openings (step 3)",
            ),
            Field(
                "same_cv",
                "I send the same CV to every application.",
                "likert",
                reverse=True,
                counts_as="behaviour",
                done="You adapt your CV for each application",
                lift="Adapt your CV to each role instead of sending the same one (step 3)",
            ),
            Field(
                "can_tailor",
                "I know how to tailor my CV to a particular role.",
                "likert",
                support=(
                    "Tailoring a CV is a skill anyone can learn, not a gift. It's one of the things"
                    " a consultant can show you for the roles you're targeting."
                ),
            ),
        ),
    ),
    Step(
        key="approach",
        number=4,
        title="Review your approach",
        dimension="approach",
        intro=(
            "Use what you heard to change how you prepare. Which stage felt weakest? "
            "Which questions caught you out? A better answer written down now is one "
            "you can give next time."
        ),
        gist="stage by stage, what you'd do differently",
        fields=(
            Field(
                "stage_ratings",
                "How confident did you feel at each stage?",
                "table",
                item="stage",
                max_rows=8,
                section="stages",
                columns=(
                    Column("stage", "Stage", kind="choice", options=STAGES, required=True),
                    Column("confidence", "Confidence (1–5)", kind="rating", required=True),
                    Column("notes", "Notes", max_len=300),
                ),
            ),
            Field(
                "tough_questions",
                "Questions you stumbled on",
                "table",
                item="question",
                max_rows=8,
                section="questions",
                columns=(
                    Column("question", "Question", max_len=300, required=True),
                    Column("kind", "Kind of question", kind="choice", options=QUESTION_KINDS),
                    Column("situation", "Situation", max_len=500),
                    Column("task", "Task", max_len=500),
                    Column("action", "Action", max_len=500),
                    Column("result", "Result", max_len=500),
                    Column("ready", "Ready to use again?", kind="choice", options=YES_NO),
                ),
            ),
            Field(
                "improvements",
                "Up to three things you'll do differently",
                "table",
                item="improvement",
                max_rows=3,
                section="improvements",
                columns=(
                    Column("action", "Improvement", max_len=200, required=True),
                    Column("target_date", "By when", kind="date"),
                ),
            ),
            Field(
                "knew_what_to_expect",
                "I knew what to expect at each stage.",
                "likert",
                support=(
                    "Not knowing what's coming makes anyone uneasy. Next time, asking the recruiter"
                    " about the format beforehand is normal and helps."
                ),
            ),
            Field(
                "practised_answers",
                "I practised my answers out loud beforehand.",
                "likert",
                counts_as="behaviour",
                done="You practise your answers out loud",
                lift="Practise two or three answers out loud before your next interview (step 4)",
            ),
            Field(
                "researched_company",
                "I researched the company and the people interviewing me.",
                "likert",
                counts_as="behaviour",
                done="You research the company and the people interviewing you",
                lift="Research the company and your interviewers before the next one (step 4)",
            ),
        ),
    ),
    Step(
        key="learning",
        number=5,
        title="Learn from every interview",
        dimension="learning",
        intro=(
            "Each interview teaches you what gets asked and what to ask back, and fit "
            "works both ways. Reaching this stage was an achievement: notice what went "
            "well."
        ),
        gist="your strengths and small wins",
        fields=(
            Field(
                "strengths",
                "Strengths you showed",
                "table",
                help="For example: explaining technical work clearly, staying calm when "
                "a question threw you, asking the panel good questions, preparing well.",
                item="strength",
                max_rows=6,
                section="went_well",
                columns=(Column("strength", "Strength", max_len=200, required=True),),
            ),
            Field(
                "small_wins",
                "Small wins worth celebrating",
                "table",
                help="For example: getting an interview at all, reaching the final round, "
                "an answer you were proud of, a kind word from an interviewer.",
                item="win",
                max_rows=6,
                section="went_well",
                columns=(Column("win", "Win", max_len=200, required=True),),
            ),
            Field(
                "fit_learned",
                "What did you learn about the fit you want?",
                "textarea",
                max_len=LONG_TEXT,
                section="next_time",
                placeholder="e.g. I want a team that ships often, and a manager who gives "
                "feedback.",
            ),
            Field(
                "questions_next_time",
                "Questions you'll ask next time",
                "textarea",
                max_len=LONG_TEXT,
                section="next_time",
                placeholder="e.g. What does success look like in the first six months?",
            ),
            Field(
                "one_step",
                "I can see this rejection as one step, not a verdict on me.",
                "likert",
                support=(
                    "Right now it may feel like a verdict on you. That's a common first reaction, "
                    "and it usually softens as you act on your plan."
                ),
            ),
            Field(
                "next_will_go_better",
                "I believe my next interview will go better because of this one.",
                "likert",
                support=(
                    "It's hard to feel hopeful straight after a no. Every step you take here is "
                    "something that works in your favour next time."
                ),
            ),
            Field(
                "did_well",
                "I can name things I did well in this process.",
                "likert",
                support=(
                    "If nothing you did well comes to mind yet, that's common after a no. Getting "
                    "to interview already says something about you."
                ),
            ),
            Field(
                "giving_up",
                "I feel like giving up on roles at this level.",
                "likert",
                reverse=True,
                support=(
                    "Feeling like giving up after a no at this level is understandable. You don't "
                    "have to decide anything today, and you don't have to do it alone."
                ),
            ),
            Field(
                "not_good_enough",
                "I keep thinking I'm not good enough.",
                "likert",
                reverse=True,
                support=(
                    "That thought is common after a no, and it isn't the whole picture: you were "
                    "good enough to be invited to interview."
                ),
            ),
            Field(
                "avoid_applying",
                "I hold back from applying in case this happens again.",
                "likert",
                reverse=True,
                support=(
                    "Wanting to protect yourself from another no makes sense. One application you "
                    "feel good about is a fine next step; nobody expects a flood."
                ),
            ),
            Field(
                "final_rejections_6m",
                "How many final-stage rejections have you had in the last six months?",
                "choice",
                options=FINAL_REJECTIONS,
                section="ratings",
            ),
        ),
    ),
)


DIMENSIONS: tuple[str, ...] = tuple(step.dimension for step in STEPS)
STEP_COUNT = len(STEPS)

LIKERT_LABELS = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither"),
    (4, "Agree"),
    (5, "Strongly agree"),
)

# Answers that belong to the candidate's plan rather than to a step: kept in the same
# answers table, so they save, export and delete like everything else.
CHECKLIST_MAX_ROWS = 80
LAST_TIME_MAX_ROWS = 12
# Where a thing planned last time came from, and how far the candidate got with it.
LAST_TIME_SOURCES = (
    ("checklist", "Last time's checklist"),
    ("improvement", "Something you'd do differently"),
    ("action_point", "A point from feedback"),
)
LAST_TIME_STATUS = (("done", "Done"), ("partly", "Partly"), ("not_yet", "Not yet"))
PLAN_FIELDS: tuple[Field, ...] = (
    Field(
        "own_name",
        "Your name, to sign your messages (optional)",
        "text",
        help="We only use it to sign the messages we draft for you.",
    ),
    Field(
        "feedback_thanks",
        "Your thank-you note for the feedback",
        "textarea",
        max_len=MESSAGE_TEXT,
    ),
    Field(
        "checklist",
        "This week",
        "table",
        max_rows=CHECKLIST_MAX_ROWS,
        columns=(
            Column("item", "Item", max_len=300, required=True),
            Column("due", "Date", kind="date"),
            Column("done", "Done", kind="choice", options=YES_NO),
        ),
    ),
    # A returning candidate's answers about the previous reflection's plan (Welcome's
    # "Since last time", `core.last_time`): one row per thing planned, once answered.
    Field(
        "last_time",
        "Since last time",
        "table",
        item="planned item",
        max_rows=LAST_TIME_MAX_ROWS,
        columns=(
            Column("item", "What you planned", max_len=300, required=True),
            Column("source", "Where it came from", kind="choice", options=LAST_TIME_SOURCES),
            Column("status", "Did you?", kind="choice", options=LAST_TIME_STATUS, required=True),
        ),
    ),
)


def all_fields() -> tuple[Field, ...]:
    return CONTEXT_FIELDS + tuple(f for step in STEPS for f in step.fields) + PLAN_FIELDS


FIELDS_BY_KEY: dict[str, Field] = {f.key: f for f in all_fields()}
STEPS_BY_KEY: dict[str, Step] = {s.key: s for s in STEPS}
