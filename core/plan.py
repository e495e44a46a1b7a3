"""My plan, built once: this week's checklist, what they take forward, score, drafts, help.

`build_plan` turns a reflection's answers into one `Plan`. The page and every download
draw from that object, so the screen, the document, the printable page and the
calendar file always say the same thing. Each part is made by the module that owns it;
this one only puts them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core import clock
from core.answer_values import role_at_company
from core.checklist import ChecklistItem, checklist
from core.drafts import PlanDraft, current_drafts
from core.questionnaire import STAGE_LABELS
from core.score_charts import dimension_rows, unscored_steps
from core.scoring import Explanation, ScoreResult, explain, score
from core.suggestions import Reason, reasons_for
from core.taking_forward import TakingForward, taking_forward


@dataclass(frozen=True)
class Plan:
    today: dt.date
    about: str  # "Senior Data Analyst at Acme", or "" when neither is known
    stage: str  # "Final interview", or ""
    result: ScoreResult
    explanation: Explanation
    checklist: list[ChecklistItem]
    forward: TakingForward
    drafts: list[PlanDraft]
    reasons: list[Reason]
    chart: list[dict[str, Any]]
    unscored: list[str]

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if not item.done]


def build_plan(
    answers: Mapping[str, Any],
    agency_name: str,
    *,
    today: dt.date | None = None,
    started: dt.date | None = None,
    asked_to_talk: bool = False,
) -> Plan:
    """Everything My plan shows, from the answers: the one source for page and downloads."""
    today = today or clock.today()
    result = score(answers)
    return Plan(
        today=today,
        about=role_at_company(answers.get("role"), answers.get("company")),
        stage=STAGE_LABELS.get(answers.get("stage_reached") or "", ""),
        result=result,
        explanation=explain(result),
        checklist=checklist(answers, today, started),
        forward=taking_forward(answers),
        drafts=current_drafts(answers, agency_name),
        reasons=reasons_for(result, answers, asked_to_talk=asked_to_talk),
        chart=dimension_rows(result),
        unscored=unscored_steps(result),
    )
