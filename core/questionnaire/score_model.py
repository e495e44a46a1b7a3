"""How answers become a score: the score items, their weights and the bands.

Each item turns one answer into a value between 0 and 1 (`core.scoring` does the
arithmetic); the self-ratings become items from their own rows in `questions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.questionnaire.questions import STEPS, CountsAs

ItemKind = Literal["likert", "reverse", "ordinal", "count", "fraction", "mean_rating"]

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
    # Behaviours about something that may not exist yet (last time's plan, on a first
    # reflection): never offered as a lift until answered, as there is nothing to raise.
    lift_once_answered: bool = False

    @property
    def weight(self) -> int:
        return WEIGHTS[self.counts_as]


def _self_rating_items() -> tuple[ScoreItem, ...]:
    return tuple(
        ScoreItem(
            key=f.key,
            dimension=step.dimension,
            source=f.key,
            kind="reverse" if f.reverse else "likert",
            label=f.label,
            counts_as=f.counts_as,
            done=f.done,
            lift=f.lift,
            support=f.support,
        )
        for step in STEPS
        for f in step.fields
        if f.kind == "likert"
    )


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
    # Learning across interviews: how much of the previous reflection's plan got done.
    # A first reflection has no rows here, so the item stays unanswered and changes nothing.
    ScoreItem(
        "last_plan_done",
        "learning",
        "last_time",
        "fraction",
        "Share of last time's plan you've done",
        where=("status", ("done",)),
        done="You've followed through on last time's plan",
        lift="Finish one thing you planned last time, then mark it done on Welcome",
        lift_once_answered=True,
    ),
)

SCORE_ITEMS: tuple[ScoreItem, ...] = BEHAVIOUR_ITEMS + _self_rating_items()

BANDS: tuple[tuple[int, str, str], ...] = (
    # (lower bound, band key, friendly label)
    (70, "strong", "Strong footing"),
    (40, "building", "Building back"),
    (0, "low", "Early days"),
)
MIN_DIMENSIONS_FOR_OVERALL = 3


def band_for(score: float) -> tuple[str, str]:
    """(band key, friendly label) for a 0–100 score."""
    for lower, key, label in BANDS:
        if score >= lower:
            return key, label
    return BANDS[-1][1], BANDS[-1][2]
