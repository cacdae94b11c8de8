"""The milestones of a live drill: the observed events the scenario declares (alarm raised,
last person out, headcount complete, all clear …) and the procedure's obligations an evaluator
can stamp, each with the one key that stamps it."""

from __future__ import annotations

from dataclasses import dataclass

from drillsim.simulator.model import ObservedMilestone
from drillsim.simulator.plan import Plan

OBSERVED_KEYS = "1234567890"
DUTY_KEYS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Milestone:
    id: str  # the observed milestone's id, or the obligation's id for a duty
    kind: str  # observed | duty
    key: str
    obligation: str | None  # the duty it meets (observed: `meets`)
    observed: ObservedMilestone | None = None

    def title(self, plan: Plan, lang: str) -> str:
        item = self.observed or plan.procedure.obligations[self.id]
        return item.title if lang == "zh" else (item.title_en or item.title)

    def clause(self, plan: Plan) -> str:
        if self.observed is not None:
            if self.observed.clause:
                return self.observed.clause
            if self.obligation:
                return plan.procedure.obligations[self.obligation].clause
            return ""
        return plan.procedure.obligations[self.id].clause


def stampable(plan: Plan, oid: str) -> bool:
    """A duty one key can stamp: a task or a report (a grade needs the level, so it cannot)."""
    return plan.procedure.obligations[oid].action.do in ("task", "report")


def milestones(plan: Plan) -> list[Milestone]:
    sc = plan.scenario
    if sc.drill is None:
        raise ValueError(f"{sc.id} is not set up as a live drill (no `drill:` section)")
    out = []
    for i, (mid, m) in enumerate(sc.drill.milestones.items()):
        key = OBSERVED_KEYS[i] if i < len(OBSERVED_KEYS) else ""
        out.append(Milestone(mid, "observed", key, m.meets, m))
    met = {m.meets for m in sc.drill.milestones.values() if m.meets}
    wanted = sc.drill.obligations
    if wanted is None:
        wanted = [oid for obj in sc.objectives for oid in obj.obligations]
    duties = [oid for oid in dict.fromkeys(wanted) if oid not in met and stampable(plan, oid)]
    for i, oid in enumerate(duties):
        out.append(Milestone(oid, "duty", DUTY_KEYS[i] if i < len(DUTY_KEYS) else "", oid))
    return out


def alarm(plan: Plan) -> str:
    """The first observed milestone: stamping it starts the drill's clock."""
    return next(iter(plan.scenario.drill.milestones))


def headcount_milestone(plan: Plan) -> str | None:
    return next((mid for mid, m in plan.scenario.drill.milestones.items() if m.headcount), None)
