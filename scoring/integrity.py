"""Is a saved log what the run recorded? Its hash chain, and a re-simulation from its seed and its
recorded actions (invariant 3: the same seed and actions give the same events).

Exit statuses of `drillsim score --verify` (README, "Event log"): the most serious finding wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from drillsim.simulator.errors import InputError
from drillsim.simulator.eventlog import SESSION, Chain, dumps, read_log
from drillsim.words import t

from .verdicts import changed_files, plan_of

OK = 0
HEADER_EDITED = 3  # line 1 (seed, scenario, players, files) does not match its hash
LINE_EDITED = 4  # an event line does not match its hash
LINES_MISSING = 5  # lines deleted (seq jumps), inserted or reordered
RESIMULATION_DIFFERS = 6  # the chain holds, but the seed and actions give other events
NO_CHAIN = 7  # a log from before the chain: only the re-simulation speaks for it

_BY_KIND = {
    "header": HEADER_EDITED,
    "edited": LINE_EDITED,
    "unchained": LINE_EDITED,
    "deleted": LINES_MISSING,
    "inserted": LINES_MISSING,
}


@dataclass
class Verdict:
    chain: Chain
    status: int = OK
    findings: list[tuple[str, dict]] = field(default_factory=list)  # word key and its values

    def lines(self, lang: str = "en") -> list[str]:
        out = [self.chain.describe(lang)]
        for key, values in self.findings:
            if key == "verify_differs":
                fields = [t("verify_field", lang, **f) for f in values["fields"]]
                values = {**values, "fields": ", ".join(fields)}
            out.append(t(key, lang, **values))
        return out


def integrity(chain: Chain, lang: str) -> dict:
    """What a report states of its log's hash chain (the JSON report's `log_integrity`):
    `status` intact | broken | none (an older log), the first bad line, a torn last line."""
    status = "none" if not chain.chained else "intact" if chain.intact else "broken"
    return {
        "status": status,
        "broken_at": chain.broken_at,
        "kind": chain.kind,
        "torn_last_line": chain.torn,
        "text": chain.describe(lang),
    }


def integrity_row(key: str, chain: Chain, lang: str) -> dict:
    """The same as a row of a report's overview table, marked `warn` unless all is well."""
    return {
        "key": key,
        "label": t(key, lang),
        "value": chain.describe(lang),
        "warn": not chain.intact or chain.torn,
    }


def _differ(recorded: dict, replayed: dict) -> list[dict]:
    keys = [k for k in dict.fromkeys([*recorded, *replayed]) if recorded.get(k) != replayed.get(k)]
    return [
        {"field": k, "logged": repr(recorded.get(k)), "replayed": repr(replayed.get(k))}
        for k in keys[:3]
    ]


def verify(path: str | Path) -> Verdict:
    from drillsim.simulator.replay import replay

    events, chain = read_log(path)
    verdict = Verdict(chain)
    found = verdict.findings.append
    if chain.broken_at is not None:
        verdict.status = _BY_KIND[chain.kind or "edited"]
    elif not chain.chained:
        verdict.status = NO_CHAIN
    if not chain.ended:
        found(("verify_no_end", {}))
    try:
        plan = plan_of(events)
    except InputError as exc:
        found(("verify_no_plan", {"problem": str(exc.problems[0])}))
        return verdict
    for changed in changed_files(plan, events):
        found(("verify_changed", {"path": changed}))
    # a log cut short is re-simulated to its last recorded minute and compared as far as it goes
    script = (
        events if chain.ended else [*events, {"t": events[-1]["t"], "type": "end", "reason": ""}]
    )
    try:
        replayed = replay(script, plan).events
    except (InputError, ValueError, KeyError) as exc:
        found(("verify_cannot", {"error": str(exc)}))
        verdict.status = verdict.status or RESIMULATION_DIFFERS
        return verdict
    # a served exercise's session records (who joined, left, rated) are not the engine's
    world = [(i, ev) for i, ev in enumerate(events, 1) if ev["type"] != SESSION]
    for (i, a), b in zip(world, replayed):
        if i > 1 and dumps(a) != dumps(b):  # line 1's wall-clock fields need not repeat
            found(("verify_differs", {"line": i, "type": a["type"], "fields": _differ(a, b)}))
            verdict.status = verdict.status or RESIMULATION_DIFFERS
            break
    else:
        if chain.ended and len(replayed) != len(world):
            found(("verify_count", {"replayed": len(replayed), "logged": len(world)}))
            verdict.status = verdict.status or RESIMULATION_DIFFERS
        else:
            found(("verify_same", {"seed": events[0].get("seed")}))
    return verdict
