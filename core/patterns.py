"""What keeps coming up across a candidate's reflections: the pattern rules, in one place.

Pure functions from past reflections (their answers and start dates) to findings said in
words. A pattern is something to work on, with a next step; it is never a verdict, so the
wording here stays supportive and avoids absolutes about the candidate. Numbers are whole
and, where they count reflections, written as words ("three of your last four").

`Patterns.to_snapshot` and `from_snapshot` carry a result to consultants as plain JSON, so
what they see is what the candidate chose to share, not a live recount.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.answer_values import answer_rows, normalised, one_line
from core.questionnaire import QUESTION_KINDS, STAGE_LABELS, STAGES, STEPS
from core.scoring import score, whole

TOPICS = ("stage", "question_kind", "strength", "win")
# A thing has to show up in this many reflections before it counts as coming up again.
REPEATS_AT = 2
SNAPSHOT_VERSION = 1

_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


@dataclass(frozen=True)
class PastReflection:
    reflection_id: int
    started: dt.date
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    topic: str  # "stage" | "question_kind" | "strength" | "win"
    headline: str  # in words, e.g. "Three of your last four ended at the final interview"
    detail: str  # one or two kind sentences
    next_step: str  # something to do about it
    # What repeated (a stage or kind key, or the normalised text), in how many
    # reflections out of how many: enough to rank findings and word them for consultants.
    key: str = ""
    times: int = 0
    out_of: int = 0


@dataclass(frozen=True)
class Trend:
    dimension: str  # "feedback", ...
    title: str  # the step's title
    values: tuple[int | None, ...]  # whole numbers, oldest first, one per reflection
    sentence: str  # in words, e.g. "Keep connections open: up from 40 to 65 out of 100"


@dataclass(frozen=True)
class Patterns:
    reflections: int
    findings: tuple[Finding, ...]
    trends: tuple[Trend, ...]
    stages: tuple[str | None, ...]  # stage reached, oldest first

    @property
    def empty(self) -> bool:
        """Nothing to show: fewer than two reflections, or nothing recurs or moves."""
        return self.reflections < REPEATS_AT or not (self.findings or self.trends)

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-able copy, for a shared reflection's consultants."""
        return {
            "version": SNAPSHOT_VERSION,
            "reflections": self.reflections,
            "findings": [
                {
                    "topic": f.topic,
                    "headline": f.headline,
                    "detail": f.detail,
                    "next_step": f.next_step,
                    "key": f.key,
                    "times": f.times,
                    "out_of": f.out_of,
                }
                for f in self.findings
            ],
            "trends": [
                {
                    "dimension": t.dimension,
                    "title": t.title,
                    "values": list(t.values),
                    "sentence": t.sentence,
                }
                for t in self.trends
            ],
            "stages": list(self.stages),
        }


NOTHING = Patterns(reflections=0, findings=(), trends=(), stages=())


# --- Words -----------------------------------------------------------------------------------


def in_words(number: int) -> str:
    """A small count as a word ("three"); larger ones as digits."""
    return _NUMBER_WORDS[number] if 0 <= number < len(_NUMBER_WORDS) else str(number)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _some_of_your_last(times: int, out_of: int, things: str) -> str:
    """'three of your last four interviews', 'both of your last two interviews'."""
    if times == out_of == 2:
        return f"both of your last two {things}"
    if times == out_of:
        return f"all {in_words(times)} of your last {in_words(out_of)} {things}"
    return f"{in_words(times)} of your last {in_words(out_of)} {things}"


def _some_of_their_last(times: int, out_of: int, things: str) -> str:
    return _some_of_your_last(times, out_of, things).replace(" your ", " their ")


def _stage_place(stage: str) -> str:
    return f"the {STAGE_LABELS.get(stage, stage).lower()}"


# What reaching a stage again tells the candidate, and a step to take about it.
_STAGE_WORDS: dict[str, tuple[str, str]] = {
    "phone_screen": (
        "Getting to the phone screen again means your applications are being noticed. "
        "The first conversation is the place to focus next.",
        "Ask the recruiter what the screen checks for, and practise a two-minute answer to "
        "“tell me about yourself” and “why this role” out loud.",
    ),
    "first_interview": (
        "You're getting past the first filters, which is real progress. The first "
        "interview is the place to focus next.",
        "Ask for feedback on what the first interview looked for, and rehearse your three "
        "strongest examples aloud before the next one.",
    ),
    "second_interview": (
        "Reaching a second interview again shows employers want to see more of you. The "
        "step up in depth there is the place to focus next.",
        "Ask the recruiter what changes between the first and second round, and prepare a "
        "deeper example for each skill the role asks for.",
    ),
    "final_interview": (
        "Reaching the final round again means you're a serious contender; the gap is "
        "small. The last step is the place to focus next.",
        "Ask the recruiter what the final round weighs most, and practise a final-round "
        "run-through with a consultant.",
    ),
    "assessment_centre": (
        "Getting to the assessment centre again means your applications stand out. The "
        "exercises on the day are the place to focus next.",
        "Ask what the assessment centre scores, practise a group exercise or presentation "
        "against the clock, and talk it through with a consultant.",
    ),
}
_STAGE_DEFAULT = (
    "Ending at the same point more than once tells you where to put your effort next.",
    "Ask the recruiter what that stage looks for, and practise it with a consultant.",
)

# The kinds of question worth noticing when they repeat, and what to do about each. The
# "something else" kind gathers unlike questions, so it repeating says nothing.
_KIND_WORDS: dict[str, tuple[str, str]] = {
    "technical": (
        "Technical questions",
        "In the answer bank, note the technical topics that came up and practise explaining "
        "one out loud, step by step, as you would to the panel.",
    ),
    "competency": (
        "Competency questions",
        "In the answer bank, write one STAR answer (situation, task, action, result) for a "
        "competency question and practise saying it aloud.",
    ),
    "motivation": (
        "Motivation questions",
        "In the answer bank, draft a short STAR-style answer to “why this role” that you can "
        "adapt for each application, and practise it aloud.",
    ),
    "salary": (
        "Questions about salary and terms",
        "Look up the going rate for the role, decide your range, and put your wording in the "
        "answer bank so it's ready; saying it aloud once helps.",
    ),
    "case_study": (
        "Case studies and exercises",
        "Practise one case study against the clock, then write up your approach in the answer "
        "bank as a STAR answer.",
    ),
}
KNOWN_KINDS = tuple(key for key, _ in QUESTION_KINDS)


# --- Reading answers -------------------------------------------------------------------------


def _stage(answers: Mapping[str, Any]) -> str | None:
    value = answers.get("stage_reached")
    return value if value in STAGE_LABELS else None


def _named(answers: Mapping[str, Any], key: str, column: str) -> dict[str, str]:
    """This reflection's entries of a list answer: normalised text → the words as typed."""
    out: dict[str, str] = {}
    for row in answer_rows(answers, key):
        text = one_line(row.get(column))
        if normalised(text):
            out.setdefault(normalised(text), text)
    return out


# --- The rules -------------------------------------------------------------------------------


def _stage_findings(stages: Sequence[str | None]) -> list[Finding]:
    known = [s for s in stages if s is not None]
    counts = Counter(known)
    order = {key: i for i, (key, _) in enumerate(STAGES)}
    repeated = sorted(
        (s for s, n in counts.items() if n >= REPEATS_AT),
        key=lambda s: (-counts[s], order.get(s, len(order))),
    )
    findings = []
    for stage in repeated:
        # Out of every reflection, not only those with a stage noted: "two of your last
        # three" must not skip the ones in between that said nothing.
        times, out_of = counts[stage], len(stages)
        detail, next_step = _STAGE_WORDS.get(stage, _STAGE_DEFAULT)
        findings.append(
            Finding(
                topic="stage",
                headline=_capitalised(
                    f"{_some_of_your_last(times, out_of, 'applications')} ended at "
                    f"{_stage_place(stage)}"
                ),
                detail=detail,
                next_step=next_step,
                key=stage,
                times=times,
                out_of=out_of,
            )
        )
    return findings


def _kind_findings(ordered: Sequence[PastReflection]) -> list[Finding]:
    reflections_with: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    for past in ordered:
        kinds = [row.get("kind") for row in answer_rows(past.answers, "tough_questions")]
        kinds = [k for k in kinds if k in _KIND_WORDS]
        questions.update(kinds)
        reflections_with.update(set(kinds))
    repeated = sorted(
        (k for k, n in reflections_with.items() if n >= REPEATS_AT),
        key=lambda k: (-reflections_with[k], -questions[k], KNOWN_KINDS.index(k)),
    )
    findings = []
    for kind in repeated:
        name, next_step = _KIND_WORDS[kind]
        times, out_of = reflections_with[kind], len(ordered)
        count = questions[kind]
        findings.append(
            Finding(
                topic="question_kind",
                headline=(
                    f"{name} were among the tricky ones in "
                    f"{_some_of_your_last(times, out_of, 'interviews')}"
                ),
                detail=(
                    f"You noted {in_words(count)} of them in all. A kind of question that "
                    "comes back is one you can prepare for, and it gets easier with a "
                    "ready answer."
                ),
                next_step=next_step,
                key=kind,
                times=times,
                out_of=out_of,
            )
        )
    return findings


def _quoted(texts: Sequence[str]) -> str:
    quoted = [f"“{t}”" for t in texts]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _recurring(ordered: Sequence[PastReflection], key: str, column: str) -> list[tuple[str, int]]:
    """Entries named in two or more reflections: (latest wording, reflections), most first."""
    seen: Counter[str] = Counter()
    latest: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for index, past in enumerate(ordered):
        for norm, text in _named(past.answers, key, column).items():
            seen[norm] += 1
            latest[norm] = text
            first_seen.setdefault(norm, index)
    repeated = [n for n, times in seen.items() if times >= REPEATS_AT]
    repeated.sort(key=lambda n: (-seen[n], first_seen[n], n))
    return [(latest[n], seen[n]) for n in repeated]


def _strength_words(one: bool, most: int, out_of: int) -> tuple[str, str, str]:
    return (
        "A strength that keeps showing" if one else "Strengths that keep showing",
        (
            f"You named it in {_some_of_your_last(most, out_of, 'reflections')}."
            if one
            else "Each of these came up in more than one of your reflections."
        )
        + " Strengths that recur are yours to lean on.",
        "Before your next interview, pick an example that shows "
        f"{'it' if one else 'one of them'} and have it ready to open with.",
    )


def _win_words(one: bool, most: int, out_of: int) -> tuple[str, str, str]:
    return (
        "A small win that keeps coming" if one else "Small wins that keep coming",
        f"{'It' if one else 'Each'} came up in more than one reflection: progress "
        "worth noticing, even when the outcome wasn't the one you wanted.",
        "Write it down where you'll see it before your next interview; it's evidence "
        "of how far you've come."
        if one
        else "Write them down where you'll see them before your next interview; "
        "they're evidence of how far you've come.",
    )


# topic: (the list, its column, the words: (headline, detail, next step) from whether
# there is one recurring text, how many reflections it came up in, out of how many).
_RECURRING = {
    "strength": ("strengths", "strength", _strength_words),
    "win": ("small_wins", "win", _win_words),
}


def _recurring_finding(ordered: Sequence[PastReflection], topic: str) -> list[Finding]:
    """Strengths or wins named in more than one reflection, quoted in the latest words."""
    key, column, words = _RECURRING[topic]
    recurring = _recurring(ordered, key, column)
    if not recurring:
        return []
    texts = [text for text, _ in recurring]
    most = max(times for _, times in recurring)
    headline, detail, next_step = words(len(texts) == 1, most, len(ordered))
    return [
        Finding(
            topic=topic,
            headline=f"{headline}: {_quoted(texts)}",
            detail=detail,
            next_step=next_step,
            key=normalised(texts[0]),
            times=most,
            out_of=len(ordered),
        )
    ]


def _trend_sentence(title: str, values: Sequence[int | None], step_number: int) -> str:
    known = [v for v in values if v is not None]
    first, last = known[0], known[-1]
    if last > first:
        return f"{title}: up from {first} to {last} out of 100."
    if last < first:
        return (
            f"{title}: down from {first} to {last} out of 100; step {step_number} has small "
            "things that lift it again."
        )
    return f"{title}: steady at {last} out of 100."


def _trends(ordered: Sequence[PastReflection]) -> list[Trend]:
    dimensions = [score(past.answers).dimensions for past in ordered]
    trends = []
    for step in STEPS:
        raw = [d.get(step.dimension) for d in dimensions]
        values = tuple(None if v is None else whole(v) for v in raw)
        if sum(v is not None for v in values) < REPEATS_AT:
            continue
        trends.append(
            Trend(
                dimension=step.dimension,
                title=step.title,
                values=values,
                sentence=_trend_sentence(step.title, values, step.number),
            )
        )
    return trends


def find(reflections: Sequence[PastReflection]) -> Patterns:
    """What recurs across these reflections (any order), and how each score moved."""
    ordered = sorted(reflections, key=lambda r: (r.started, r.reflection_id))
    stages = tuple(_stage(past.answers) for past in ordered)
    if len(ordered) < REPEATS_AT:
        return Patterns(reflections=len(ordered), findings=(), trends=(), stages=stages)
    findings = (
        _stage_findings(stages)
        + _kind_findings(ordered)
        + _recurring_finding(ordered, "strength")
        + _recurring_finding(ordered, "win")
    )
    return Patterns(
        reflections=len(ordered),
        findings=tuple(findings),
        trends=tuple(_trends(ordered)),
        stages=stages,
    )


# --- For consultants -------------------------------------------------------------------------


def consultant_line(patterns: Patterns) -> str | None:
    """The strongest repeated pattern in one short line for a consultant, or None.

    Where a candidate keeps ending, or what keeps catching them out, comes before what
    they do well; within those, the pattern that held in the largest share of reflections.
    Names no text the candidate typed, so it can go anywhere without escaping.
    """
    if patterns.empty or not patterns.findings:
        return None
    rank = {topic: i for i, topic in enumerate(TOPICS)}
    strongest = min(
        patterns.findings,
        key=lambda f: (
            f.topic in ("strength", "win"),
            -(f.times / f.out_of if f.out_of else 0),
            -f.times,
            rank.get(f.topic, len(rank)),
        ),
    )
    where = _some_of_their_last(strongest.times, strongest.out_of, "applications")
    if strongest.topic == "stage" and strongest.times:
        return _capitalised(f"{where} ended at {_stage_place(strongest.key)}.")
    if strongest.topic == "question_kind" and strongest.key in _KIND_WORDS and strongest.times:
        name = _KIND_WORDS[strongest.key][0]
        interviews = _some_of_their_last(strongest.times, strongest.out_of, "interviews")
        return f"{name} were among the tricky ones in {interviews}."
    if strongest.topic == "strength":
        return "Names the same strength in more than one reflection."
    if strongest.topic == "win":
        return "Notes the same small win in more than one reflection."
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _finding(data: Any) -> Finding | None:
    if not isinstance(data, Mapping) or data.get("topic") not in TOPICS:
        return None
    words = [_text(data.get(k)) for k in ("headline", "detail", "next_step")]
    if any(w is None or not w.strip() for w in words):
        return None
    times, out_of = _int(data.get("times", 0)), _int(data.get("out_of", 0))
    if times is None or out_of is None or times < 0 or out_of < 0:
        return None
    headline, detail, next_step = words
    return Finding(
        topic=data["topic"],
        headline=headline or "",
        detail=detail or "",
        next_step=next_step or "",
        key=_text(data.get("key")) or "",
        times=times,
        out_of=out_of,
    )


def _trend(data: Any) -> Trend | None:
    if not isinstance(data, Mapping):
        return None
    dimension, title, sentence = (_text(data.get(k)) for k in ("dimension", "title", "sentence"))
    values = data.get("values")
    if not (dimension and title and sentence) or not isinstance(values, list):
        return None
    if any(v is not None and _int(v) is None for v in values):
        return None
    return Trend(dimension, title, tuple(values), sentence)


def from_snapshot(data: Mapping[str, Any] | None) -> Patterns:
    """The Patterns a snapshot holds; anything unreadable in it is left out, and a
    snapshot that is not one at all reads as no patterns."""
    if not isinstance(data, Mapping) or data.get("version") != SNAPSHOT_VERSION:
        return NOTHING
    reflections = _int(data.get("reflections"))
    findings, trends, stages = data.get("findings"), data.get("trends"), data.get("stages")
    if reflections is None or reflections < 0:
        return NOTHING
    if not all(isinstance(x, list) for x in (findings, trends, stages)):
        return NOTHING
    return Patterns(
        reflections=reflections,
        findings=tuple(f for f in map(_finding, findings) if f is not None),
        trends=tuple(t for t in map(_trend, trends) if t is not None),
        stages=tuple(s if s in STAGE_LABELS else None for s in stages),
    )


# --- For the chart ---------------------------------------------------------------------------


def chart_rows(patterns: Patterns) -> list[dict[str, Any]]:
    """One row per scored dimension per reflection, for My plan's trend lines."""
    return [
        {"reflection": number, "step": trend.title, "score": value}
        for trend in patterns.trends
        for number, value in enumerate(trend.values, start=1)
        if value is not None
    ]
