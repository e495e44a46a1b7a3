"""The questionnaire as data: every field, its limits, and how it feeds the score.

Pages draw fields from here, validation checks against it, scoring reads the score
items, and the "how is this worked out" explainer prints the same table. Change a
question here and every one of those follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "textarea", "choice", "likert", "date", "table"]
ColumnKind = Literal["text", "url", "choice", "date", "rating"]

SHORT_TEXT = 120
LONG_TEXT = 4000
MESSAGE_TEXT = 3000
LINKEDIN_NOTE_LIMIT = 200


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


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    title: str
    dimension: str
    intro: str
    fields: tuple[Field, ...]


ItemKind = Literal["likert", "reverse", "ordinal", "count", "fraction", "mean_rating"]
CountsAs = Literal["behaviour", "feeling"]

# What a candidate did (the article's advice) counts three times as much as how they
# feel, in every step: following a step's advice lifts it whatever the feelings.
BEHAVIOUR_WEIGHT = 3
FEELING_WEIGHT = 1
WEIGHTS: dict[str, int] = {"behaviour": BEHAVIOUR_WEIGHT, "feeling": FEELING_WEIGHT}


@dataclass(frozen=True)
class ScoreItem:
    """One component of a dimension score, normalised to 0–1 before weighting.

    likert       (v − 1) / 4 of a 1–5 answer
    reverse      (5 − v) / 4 of a 1–5 answer
    ordinal      the option's value from `option_values`
    count        min(n, target) / target, n = table rows matching `where`
    fraction     share of table rows matching `where` (unanswered with no rows)
    mean_rating  (mean − 1) / 4 of a 1–5 column over the table's rows
    """

    key: str
    dimension: str
    source: str
    kind: ItemKind
    label: str
    counts_as: CountsAs = "behaviour"
    target: int = 1
    column: str = ""
    where: tuple[str, tuple[str, ...]] | None = None  # (column, accepted values)
    option_values: tuple[tuple[str, float], ...] = ()
    done: str = ""  # behaviours: how "what you've done" names it
    lift: str = ""  # behaviours: the action that would raise it
    support: str = ""  # feelings: the acknowledging line when it weighs heavy

    @property
    def weight(self) -> int:
        return WEIGHTS[self.counts_as]


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
        fields=(
            Field(
                "feedback_status", "Where are you with feedback?", "choice", options=FEEDBACK_STATUS
            ),
            Field("feedback_contact", "Who will you ask?", "choice", options=FEEDBACK_CONTACTS),
            Field("feedback_contact_name", "Their name (optional)", "text"),
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
            ),
            Field(
                "action_points",
                "Up to three things to work on",
                "table",
                item="action point",
                max_rows=3,
                columns=(
                    Column("point", "Action point", max_len=200, required=True),
                    Column("due", "By when", kind="date"),
                ),
            ),
            Field(
                "takes_criticism", "I can hear criticism without taking it personally.", "likert"
            ),
            Field(
                "replaying", "I keep replaying the interview in my head.", "likert", reverse=True
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
        fields=(
            Field(
                "replied_to_rejection",
                "Have you replied to the rejection?",
                "choice",
                options=REPLIED,
            ),
            Field(
                "contacts",
                "People worth staying in touch with",
                "table",
                item="person",
                max_rows=10,
                columns=(
                    Column("name", "Name", required=True),
                    Column("role", "Their role"),
                    Column("linkedin", "LinkedIn URL", kind="url", max_len=300),
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
                help=f"LinkedIn allows {LINKEDIN_NOTE_LIMIT} characters.",
            ),
            Field("keeps_in_touch", "I stay in touch with people I meet at interviews.", "likert"),
            Field(
                "would_apply_again",
                "I'd apply to this company again if a better-fitting role came up.",
                "likert",
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
        fields=(
            Field(
                "pipeline",
                "Other opportunities you're pursuing",
                "table",
                item="opportunity",
                max_rows=15,
                columns=(
                    Column("company", "Company", required=True),
                    Column("role", "Role"),
                    Column("stage", "Stage", kind="choice", options=PIPELINE_STAGES),
                    Column("cv_tailored", "CV tailored?", kind="choice", options=YES_NO),
                    Column("next_step", "Next step by", kind="date"),
                ),
            ),
            Field("actively_searching", "I'm actively looking at other openings.", "likert"),
            Field("same_cv", "I send the same CV to every application.", "likert", reverse=True),
            Field("can_tailor", "I know how to tailor my CV to a particular role.", "likert"),
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
        fields=(
            Field(
                "stage_ratings",
                "How confident did you feel at each stage?",
                "table",
                item="stage",
                max_rows=8,
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
                columns=(
                    Column("question", "Question", max_len=300, required=True),
                    Column("situation", "Situation", max_len=500),
                    Column("task", "Task", max_len=500),
                    Column("action", "Action", max_len=500),
                    Column("result", "Result", max_len=500),
                ),
            ),
            Field(
                "improvements",
                "Up to three things you'll do differently",
                "table",
                item="improvement",
                max_rows=3,
                columns=(
                    Column("action", "Improvement", max_len=200, required=True),
                    Column("target_date", "By when", kind="date"),
                ),
            ),
            Field("knew_what_to_expect", "I knew what to expect at each stage.", "likert"),
            Field("practised_answers", "I practised my answers out loud beforehand.", "likert"),
            Field(
                "researched_company",
                "I researched the company and the people interviewing me.",
                "likert",
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
        fields=(
            Field(
                "strengths",
                "Strengths you showed",
                "table",
                help="For example: explaining technical work clearly, staying calm when "
                "a question threw you, asking the panel good questions, preparing well.",
                item="strength",
                max_rows=6,
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
                columns=(Column("win", "Win", max_len=200, required=True),),
            ),
            Field(
                "fit_learned",
                "What did you learn about the fit you want?",
                "textarea",
                max_len=LONG_TEXT,
            ),
            Field(
                "questions_next_time",
                "Questions you'll ask next time",
                "textarea",
                max_len=LONG_TEXT,
            ),
            Field(
                "one_step", "I can see this rejection as one step, not a verdict on me.", "likert"
            ),
            Field(
                "next_will_go_better",
                "I believe my next interview will go better because of this one.",
                "likert",
            ),
            Field("did_well", "I can name things I did well in this process.", "likert"),
            Field(
                "giving_up", "I feel like giving up on roles at this level.", "likert", reverse=True
            ),
            Field(
                "not_good_enough", "I keep thinking I'm not good enough.", "likert", reverse=True
            ),
            Field(
                "avoid_applying",
                "I hold back from applying in case this happens again.",
                "likert",
                reverse=True,
            ),
            Field(
                "final_rejections_6m",
                "How many final-stage rejections have you had in the last six months?",
                "choice",
                options=FINAL_REJECTIONS,
            ),
        ),
    ),
)

DIMENSIONS: tuple[str, ...] = tuple(step.dimension for step in STEPS)
DIMENSION_LABELS: dict[str, str] = {step.dimension: step.title for step in STEPS}

LIKERT_LABELS = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither"),
    (4, "Agree"),
    (5, "Strongly agree"),
)


# Self-ratings that describe something the candidate does count as behaviours; the rest
# say how they feel. Each has the words My plan uses for it (done/lift, or support).
LIKERT_WORDS: dict[str, tuple[CountsAs, str, str]] = {
    "takes_criticism": (
        "feeling",
        "",
        "Criticism straight after a no can sting. That's human, and it gets easier once "
        "the points are written down as things to work on.",
    ),
    "replaying": (
        "feeling",
        "",
        "Replaying the interview is very common after a no. Writing down what you'd do "
        "differently (step 4) often helps it settle.",
    ),
    "keeps_in_touch": (
        "behaviour",
        "You stay in touch with people you meet at interviews",
        "Send a short, friendly note to someone you met at interview (step 2)",
    ),
    "would_apply_again": (
        "feeling",
        "",
        "It's fine not to want to go back there for now. Fit works both ways.",
    ),
    "actively_searching": (
        "behaviour",
        "You're looking at other openings",
        "Set aside half an hour to look at other openings (step 3)",
    ),
    "same_cv": (
        "behaviour",
        "You adapt your CV for each application",
        "Adapt your CV to each role instead of sending the same one (step 3)",
    ),
    "can_tailor": (
        "feeling",
        "",
        "Tailoring a CV is a skill anyone can learn, not a gift. It's one of the things "
        "a consultant can show you for the roles you're targeting.",
    ),
    "knew_what_to_expect": (
        "feeling",
        "",
        "Not knowing what's coming makes anyone uneasy. Next time, asking the recruiter "
        "about the format beforehand is normal and helps.",
    ),
    "practised_answers": (
        "behaviour",
        "You practise your answers out loud",
        "Practise two or three answers out loud before your next interview (step 4)",
    ),
    "researched_company": (
        "behaviour",
        "You research the company and the people interviewing you",
        "Research the company and your interviewers before the next one (step 4)",
    ),
    "one_step": (
        "feeling",
        "",
        "Right now it may feel like a verdict on you. That's a common first reaction, and "
        "it usually softens as you act on your plan.",
    ),
    "next_will_go_better": (
        "feeling",
        "",
        "It's hard to feel hopeful straight after a no. Every step you take here is "
        "something that works in your favour next time.",
    ),
    "did_well": (
        "feeling",
        "",
        "If nothing you did well comes to mind yet, that's common after a no. Getting to "
        "interview already says something about you.",
    ),
    "giving_up": (
        "feeling",
        "",
        "Feeling like giving up after a no at this level is understandable. You don't "
        "have to decide anything today, and you don't have to do it alone.",
    ),
    "not_good_enough": (
        "feeling",
        "",
        "That thought is common after a no, and it isn't the whole picture: you were "
        "good enough to be invited to interview.",
    ),
    "avoid_applying": (
        "feeling",
        "",
        "Wanting to protect yourself from another no makes sense. One application you "
        "feel good about is a fine next step; nobody expects a flood.",
    ),
}


def _likert_items() -> tuple[ScoreItem, ...]:
    items = []
    for step in STEPS:
        for f in step.fields:
            if f.kind != "likert":
                continue
            counts_as, first, second = LIKERT_WORDS[f.key]
            behaviour = counts_as == "behaviour"
            items.append(
                ScoreItem(
                    key=f.key,
                    dimension=step.dimension,
                    source=f.key,
                    kind="reverse" if f.reverse else "likert",
                    label=f.label,
                    counts_as=counts_as,
                    done=first if behaviour else "",
                    lift=second if behaviour else "",
                    support="" if behaviour else second,
                )
            )
    return tuple(items)


BEHAVIOUR_ITEMS: tuple[ScoreItem, ...] = (
    ScoreItem(
        "asked_for_feedback",
        "feedback",
        "feedback_status",
        "ordinal",
        "How far you've got with asking for feedback",
        option_values=(
            ("not_yet", 0.0),
            ("planning", 0.4),
            ("asked", 0.8),
            ("declined", 0.8),
            ("received", 1.0),
        ),
        done="You've asked for feedback",
        lift="Send your feedback request (step 1)",
    ),
    ScoreItem(
        "action_points_named",
        "feedback",
        "action_points",
        "count",
        "Action points drawn from feedback (aim for 3)",
        target=3,
        done="You've picked points to work on",
        lift="Write down up to three points to work on (step 1)",
    ),
    ScoreItem(
        "replied_graciously",
        "connections",
        "replied_to_rejection",
        "ordinal",
        "Replying to the rejection",
        option_values=(("no", 0.0), ("drafting", 0.5), ("yes", 1.0)),
        done="You've replied to the rejection",
        lift="Send your reply to the rejection (step 2)",
    ),
    ScoreItem(
        "contacts_connected",
        "connections",
        "contacts",
        "count",
        "Interviewers you've connected with or asked to connect (aim for 2)",
        target=2,
        where=("connected", ("yes", "requested")),
        done="You've connected with people you met",
        lift="Send a LinkedIn invitation to someone you met (step 2)",
    ),
    ScoreItem(
        "live_options",
        "options",
        "pipeline",
        "count",
        "Other live opportunities (aim for 2)",
        target=2,
        done="You have other opportunities on the go",
        lift="Add one or two other openings you could go for (step 3)",
    ),
    ScoreItem(
        "tailored_share",
        "options",
        "pipeline",
        "fraction",
        "Share of applications with a tailored CV",
        where=("cv_tailored", ("yes",)),
        done="You've tailored your CV to your applications",
        lift="Tailor your CV for each opening on your list (step 3)",
    ),
    ScoreItem(
        "stage_confidence",
        "approach",
        "stage_ratings",
        "mean_rating",
        "Your average confidence across the stages",
        counts_as="feeling",
        column="confidence",
        support="Feeling shaky at some stages is normal. Practising those stages out loud "
        "builds confidence faster than going over them in your head.",
    ),
    ScoreItem(
        "better_answers",
        "approach",
        "tough_questions",
        "count",
        "Tough questions with a better answer drafted (aim for 2)",
        target=2,
        where=("action", ("*",)),
        done="You've drafted better answers to questions that caught you out",
        lift="Write a better answer to a question that caught you out (step 4)",
    ),
    ScoreItem(
        "improvements_planned",
        "approach",
        "improvements",
        "count",
        "Improvement actions planned (aim for 2)",
        target=2,
        done="You've planned what you'll do differently",
        lift="Write down what you'll do differently next time (step 4)",
    ),
    ScoreItem(
        "strengths_named",
        "learning",
        "strengths",
        "count",
        "Strengths you've named (aim for 3)",
        target=3,
        done="You've named strengths you showed",
        lift="Name the strengths you showed in this process (step 5)",
    ),
    ScoreItem(
        "wins_noted",
        "learning",
        "small_wins",
        "count",
        "Small wins you've noted (aim for 2)",
        target=2,
        done="You've noted small wins",
        lift="Note a small win or two from this process (step 5)",
    ),
)

SCORE_ITEMS: tuple[ScoreItem, ...] = BEHAVIOUR_ITEMS + _likert_items()

BANDS: tuple[tuple[int, str, str], ...] = (
    # (lower bound, band key, friendly label)
    (70, "strong", "Strong footing"),
    (40, "building", "Building back"),
    (0, "low", "Early days"),
)
MIN_DIMENSIONS_FOR_OVERALL = 3


# Answers that belong to the candidate's plan rather than to a step: kept in the same
# answers table, so they save, export and delete like everything else.
CHECKLIST_MAX_ROWS = 80
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
)


def all_fields() -> tuple[Field, ...]:
    return CONTEXT_FIELDS + tuple(f for step in STEPS for f in step.fields) + PLAN_FIELDS


FIELDS_BY_KEY: dict[str, Field] = {f.key: f for f in all_fields()}
STEPS_BY_KEY: dict[str, Step] = {s.key: s for s in STEPS}


def band_for(score: float) -> tuple[str, str]:
    """(band key, friendly label) for a 0–100 score."""
    for lower, key, label in BANDS:
        if score >= lower:
            return key, label
    return BANDS[-1][1], BANDS[-1][2]


# How bands and stages read on consultant screens; NO_BAND where too few steps have a score.
BAND_LABELS: dict[str, str] = {key: label for _, key, label in BANDS}
NO_BAND = "Not enough answers"
STAGE_LABELS: dict[str, str] = dict(STAGES)
