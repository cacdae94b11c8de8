"""Strengths, areas for improvement and an improvement plan, drafted from the verdicts.

Everything here is a draft for evaluators: it says which duty, how late, which role, and which
step of a chain of duties caused a delay; it never sets a P/S/M/U rating.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drillsim.scoring.verdicts import UNSCORED
from drillsim.simulator.agenda import on_time
from drillsim.words import t
from drillsim.words.formatting import num

if TYPE_CHECKING:
    from drillsim.simulator.plan import Plan
    from drillsim.words.names import Names

    from .chain import Chains
    from .model import LogIndex

DUE_DAYS = {"planning": 30, "organization": 30, "training": 30, "exercise": 60, "equipment": 90}


@dataclass
class Context:
    plan: Plan
    names: Names
    lang: str
    entries: list
    chains: Chains
    idx: LogIndex
    players: dict
    grading: list
    continuity: list
    objectives: list
    date: dt.date
    end: float


def _due(ctx: Context, capability: str) -> str:
    return (ctx.date + dt.timedelta(days=DUE_DAYS[capability])).isoformat()


def _groups(entries: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for e in entries:
        if e["status"] not in UNSCORED:
            groups.setdefault(e["id"], []).append(e)
    return groups


# --- strengths -------------------------------------------------------------------------------


def strengths(ctx: Context) -> list[dict]:
    lang, names, out = ctx.lang, ctx.names, []
    for obj in ctx.objectives:
        duty = [
            o for task in obj["tasks"] for o in task["occurrences"] if o["status"] not in UNSCORED
        ]
        if duty and all(o["status"] == "hit" for o in duty):
            n = sum(1 for task in obj["tasks"] if task["status"] not in UNSCORED)
            out.append(
                {
                    "kind": "objective",
                    "objective": obj["id"],
                    "text": t("st_objective", lang, objective=obj["text"], n=n),
                }
            )
    if ctx.grading and all(g["correct"] for g in ctx.grading):
        out.append({"kind": "grading", "text": t("st_grades", lang, n=len(ctx.grading))})
    for c in ctx.continuity:
        if c["rto_met"]:
            out.append(
                {
                    "kind": "continuity",
                    "service": c["service"],
                    "text": t(
                        "st_rto",
                        lang,
                        service=c["name_local"],
                        downtime=num(c["downtime_min"]),
                        rto=num(c["rto_min"]),
                    ),
                }
            )
    seen = set()
    for e in ctx.entries:
        facts = e.get("_facts")
        if e["status"] != "hit" or not facts:
            continue
        for sender, via, alt in facts["fallback"]:
            key = (sender, via, alt, e["id"])
            if key in seen:
                continue
            seen.add(key)
            out.append(
                {
                    "kind": "fallback",
                    "obligation": e["id"],
                    "text": t(
                        "st_fallback",
                        lang,
                        channel=names.channel(via),
                        role=names.role(sender),
                        alt=names.channel(alt),
                        duty=e["title_local"],
                    ),
                }
            )
    # the critical tasks done with the most time to spare (a strength only when well ahead)
    critical = {task["obligation"] for obj in ctx.objectives for task in obj["tasks"]}
    ahead = []
    for e in ctx.entries:
        if e["id"] in critical and e["status"] == "hit" and e["done_at"] is not None:
            allowed = e["deadline_at"] - e["triggered_at"]
            margin = e["deadline_at"] - e["done_at"]
            if allowed > 0 and margin >= 0.5 * allowed and margin >= 5:
                ahead.append((margin / allowed, margin, e))
    for _, margin, e in sorted(ahead, key=lambda x: -x[0])[:2]:
        out.append(
            {
                "kind": "margin",
                "obligation": e["id"],
                "text": t(
                    "st_margin",
                    lang,
                    duty=e["title_local"],
                    role=e["role_name"],
                    margin=num(margin),
                ),
            }
        )
    return out


# --- areas for improvement -------------------------------------------------------------------------


def improvements(ctx: Context) -> list[dict]:
    out: list[dict] = []
    unplayed: list[dict] = []
    for oid, group in _groups(ctx.entries).items():
        bad = [e for e in group if e["status"] in ("late", "missed")]
        if bad:
            afi = _duty_afi(ctx, oid, group, bad)
            (unplayed if afi["not_played"] else out).append(afi)
    if unplayed:
        by_role: dict[str, list[str]] = {}
        for a in unplayed:
            by_role.setdefault(a["role_name"], []).append(ctx.names.duty(a["obligation"]))
        duties = "; ".join(
            f"{role}: " + ", ".join(f"“{d}”" for d in ds) for role, ds in by_role.items()
        )
        out.append(
            {
                "kind": "not_played",
                "obligations": [a["obligation"] for a in unplayed],
                "text": t("afi_not_played", ctx.lang, duties=duties),
                "details": [],
                "capability": None,
            }
        )
    out += _grading_afis(ctx)
    out += _continuity_afis(ctx)
    out += _not_exercised(ctx)
    return out


def _duty_afi(ctx: Context, oid: str, group: list[dict], bad: list[dict]) -> dict:
    lang, names, chains, proc = ctx.lang, ctx.names, ctx.chains, ctx.plan.procedure
    ob = proc.obligations[oid]
    role, role_name = ob.role, names.role(ob.role)
    duty, clause = names.duty(oid), ob.clause
    late = [e for e in bad if e["status"] == "late"]
    missed = [e for e in bad if e["status"] == "missed"]
    n = len(group)
    if n == 1 and late:
        e = late[0]
        headline = t(
            "afi_late",
            lang,
            duty=duty,
            clause=clause,
            role=role_name,
            late=num(e["late_by_min"]),
            due=names.clock(e["triggered_at"]),
            deadline=names.clock(e["deadline_at"]),
            done=names.clock(e["done_at"]),
        )
    elif n == 1:
        e = missed[0]
        headline = t(
            "afi_missed",
            lang,
            duty=duty,
            clause=clause,
            role=role_name,
            due=names.clock(e["triggered_at"]),
            deadline=names.clock(e["deadline_at"]),
        )
    elif late and missed:
        headline = t(
            "afi_mixed",
            lang,
            duty=duty,
            clause=clause,
            role=role_name,
            k=len(late),
            m=len(missed),
            n=n,
            late=num(max(e["late_by_min"] for e in late)),
        )
    elif late:
        headline = t(
            "afi_late_many",
            lang,
            duty=duty,
            clause=clause,
            role=role_name,
            k=len(late),
            n=n,
            late=num(max(e["late_by_min"] for e in late)),
        )
    else:
        headline = t(
            "afi_missed_many", lang, duty=duty, clause=clause, role=role_name, k=len(missed), n=n
        )
    details = []
    if len(ctx.plan.scenario.incidents) > 1:
        incs = sorted({e["incident"] for e in bad})
        details.append(
            t("afi_incidents", lang, incidents=", ".join(names.incident_tagged(i) for i in incs))
        )
    focus = max(late, key=lambda e: e["late_by_min"]) if late else missed[0]
    if n > 1 and late:
        details.append(
            t(
                "afi_worst",
                lang,
                due=names.clock(focus["triggered_at"]),
                deadline=names.clock(focus["deadline_at"]),
                done=names.clock(focus["done_at"]),
            )
        )
    not_played = (
        ctx.players.get(role, "idle") == "idle"
        and all(e["acted_by"] is None for e in bad)
        and not (
            proc.roles[role].deputy and ctx.players.get(proc.roles[role].deputy, "idle") != "idle"
        )
    )

    # the chain: which step caused it
    link = chains.cause(focus)
    chain = chains.chain(focus)
    own = None
    if link is not None:
        up = link.upstream
        details.append(
            t(
                "afi_caused_by",
                lang,
                delay=num(link.delay),
                up=names.duty(up["id"]),
                up_role=names.role(up["role"]),
                up_late=num(up["late_by_min"]),
            )
        )
    if focus["status"] == "late":
        allowed = chains.allowance(focus)
        own = (focus["done_at"] - focus["triggered_at"]) - allowed
        if link is not None:
            details.append(t("afi_own_part", lang, own=num(max(own, 0.0)), allowed=num(allowed)))
    if len(chain) >= 3:
        steps = " → ".join(
            f"{names.duty(c['id'])} ({t(c['status'], lang)}"
            + (f" +{num(c['late_by_min'])}" if c["status"] == "late" else "")
            + ")"
            for c in chain
        )
        root = chain[0]
        details.append(
            t(
                "afi_chain",
                lang,
                chain=steps,
                root=names.duty(root["id"]),
                root_role=names.role(root["role"]),
            )
        )
    if len(chain) >= 2:
        root = chain[0]
        if focus["done_at"] is not None:
            took = focus["done_at"] - root["triggered_at"]
            allowed_sum = sum(chains.allowance(c) for c in chain)
            details.append(
                t(
                    "afi_end_to_end",
                    lang,
                    root=names.duty(root["id"]),
                    took=num(took),
                    allowed=num(allowed_sum),
                )
            )
    # a report in several parts (e.g. phone and in writing): which part came late or never
    facts = focus.get("_facts") or {}
    parts = facts.get("parts") or []
    if len(parts) > 1:
        shown = []
        for part in parts:
            label = (
                "/".join(names.channel(c) for c in part["via"][:2]) + " → " + names.role(part["to"])
            )
            if part["sent_at"] is None:
                shown.append(f"{label}: {t('part_missing', lang)}")
            else:
                state = "hit" if on_time(part["sent_at"], focus["deadline_at"]) else "late"
                shown.append(f"{label}: {names.clock(part['sent_at'])} ({t(state, lang)})")
        details.append(t("afi_parts", lang, parts="; ".join(shown)))
    # absence, failed and wrong-channel messages
    deputy = proc.roles[role].deputy
    absent = any(ctx.idx.absent_during(role, e["triggered_at"], e["deadline_at"]) for e in bad)
    if absent and deputy:
        details.append(t("afi_deputy", lang, role=role_name, deputy=names.role(deputy)))
    failed = [m for e in bad if e.get("_facts") for m in e["_facts"]["failed"]]
    wrong = [m for e in bad if e.get("_facts") for m in e["_facts"]["wrong"]]
    if failed:
        tally: dict[tuple, int] = {}
        for m in failed:
            key = (m["sent"]["via"], m["failed"].get("reason", ""))
            tally[key] = tally.get(key, 0) + 1
        details.append(
            t(
                "afi_failed_msgs",
                lang,
                k=len(failed),
                details=", ".join(f"{names.channel(c)}: {r} ×{k}" for (c, r), k in tally.items()),
            )
        )
    allowed_channels = []
    if ob.action.do == "report":
        allowed_channels = list(
            dict.fromkeys(
                list(ob.action.via)
                + [a for c in ob.action.via for a in proc.channels[c].alternatives]
            )
        )
    if wrong:
        details.append(
            t(
                "afi_wrong_channel",
                lang,
                channels=", ".join(dict.fromkeys(names.channel(m["sent"]["via"]) for m in wrong)),
                allowed=", ".join(names.channel(c) for c in allowed_channels),
            )
        )
    # what it did to later steps
    downstream = []
    for e in late:
        for l in chains.delayed_by(e):
            downstream.append(
                f"{names.duty(l.entry['id'])} (+{num(l.delay)}{'' if lang == 'zh' else ' '}{t('min', lang)})"
            )
    if downstream:
        details.append(t("afi_downstream_late", lang, duties="; ".join(dict.fromkeys(downstream))))
    never = chains.never_triggered_by(oid, ctx.entries) if missed else []
    if never:
        details.append(
            t("afi_downstream_never", lang, duties="; ".join(names.duty(d) for d in never))
        )

    # the corrective action a planner would start from
    capability, action = None, None
    caused_upstream = link is not None and own is not None and own <= 0
    if not_played or caused_upstream:
        capability = None
    elif wrong:
        capability, action = (
            "training",
            t(
                "ca_wrong_channel",
                lang,
                role=role_name,
                duty=duty,
                allowed=", ".join(names.channel(c) for c in allowed_channels),
            ),
        )
    elif failed:
        chans = list(dict.fromkeys(m["sent"]["via"] for m in failed))
        alts = [a for c in chans for a in proc.channels[c].alternatives] or [
            c for c in allowed_channels if c not in chans
        ]
        capability, action = (
            "equipment",
            t(
                "ca_failed_msgs",
                lang,
                duty=duty,
                alts=", ".join(names.channel(a) for a in dict.fromkeys(alts)) or "-",
                channels=", ".join(names.channel(c) for c in chans),
            ),
        )
    elif absent and deputy:
        capability, action = (
            "organization",
            t("ca_deputy", lang, role=role_name, deputy=names.role(deputy), duty=duty),
        )
    elif missed:
        capability, action = (
            "training",
            t("ca_missed", lang, role=role_name, duty=duty, clause=clause),
        )
    else:
        capability, action = (
            "training",
            t("ca_late", lang, role=role_name, duty=duty, allowed=num(chains.allowance(focus))),
        )
    delayed_steps = len({l.entry["id"] for e in late for l in chains.delayed_by(e)}) + len(never)
    if action and delayed_steps:
        action += " " + t("ca_chain", lang, duty=duty, n=delayed_steps)
    verdicts = "; ".join(dict.fromkeys(e["verdict_text"] for e in bad))
    return {
        "kind": "duty",
        "obligation": oid,
        "clause": clause,
        "role": role,
        "role_name": role_name,
        "statuses": [e["status"] for e in bad],
        "occurrences": n,
        "late_by_max": max((e["late_by_min"] for e in late), default=None),
        "text": headline,
        "details": details,
        "caused_by": focus.get("delayed_by"),
        "root": chain[0]["id"] if len(chain) >= 2 else None,
        "not_played": not_played,
        "capability": capability,
        "corrective_action": action,
        "responsible_role": role,
        "issue": t("issue_duty", lang, duty=duty, clause=clause, verdict=verdicts),
    }


def _grading_afis(ctx: Context) -> list[dict]:
    lang, names, out = ctx.lang, ctx.names, []
    g = ctx.plan.procedure.grading
    for row in ctx.grading:
        if row["correct"]:
            continue
        if g is None:
            criteria = "-"
        elif g.kind == "rules":
            criteria = ", ".join(
                dict.fromkeys(r.clause for r in g.rules if r.level == row["true"])
            ) or ", ".join(dict.fromkeys(r.clause for r in g.rules))
        else:
            criteria = g.clause
        actor = row["actor_name"]
        out.append(
            {
                "kind": "grading",
                "actor": row["actor"],
                "t": row["t"],
                "text": t(
                    "afi_grade",
                    lang,
                    actor=actor,
                    declared=row["declared_text"],
                    time=names.clock(row["t"]),
                    truth=row["true_text"],
                ),
                "details": [],
                "capability": "training",
                "responsible_role": row["actor"],
                "corrective_action": t("ca_grade", lang, actor=actor, criteria=criteria),
                "issue": t(
                    "issue_grade",
                    lang,
                    actor=actor,
                    declared=row["declared_text"],
                    truth=row["true_text"],
                ),
            }
        )
    return out


def _continuity_afis(ctx: Context) -> list[dict]:
    lang, names, proc, out = ctx.lang, ctx.names, ctx.plan.procedure, []
    for c in ctx.continuity:
        if c["rto_met"] is not False:
            continue
        svc = proc.services[c["service"]]
        owner = next(
            (
                ob.role
                for ob in proc.obligations.values()
                if ob.action.do == "task" and ob.action.task in svc.recovery
            ),
            None,
        )
        key = "afi_rto_open" if c["restored_at"] is None else "afi_rto"
        out.append(
            {
                "kind": "continuity",
                "service": c["service"],
                "text": t(
                    key,
                    lang,
                    service=c["name_local"],
                    downtime=num(c["downtime_min"]),
                    rto=num(c["rto_min"]),
                ),
                "details": [],
                "capability": "equipment",
                "responsible_role": owner,
                "corrective_action": t(
                    "ca_rto",
                    lang,
                    service=c["name_local"],
                    rto=num(c["rto_min"]),
                    tasks=", ".join(names.task(x) for x in svc.recovery) or "-",
                ),
                "issue": t(
                    "issue_rto",
                    lang,
                    service=c["name_local"],
                    downtime=num(c["downtime_min"]),
                    rto=num(c["rto_min"]),
                ),
            }
        )
    return out


def _not_exercised(ctx: Context) -> list[dict]:
    lang, out, seen = ctx.lang, [], set()
    # ended early: the injects still to come may well have made these duties fall due, so the
    # remedy is to play on, not to write injects the scenario already has
    sc = ctx.plan.scenario
    later = [j for j, inj in sc.injects.items() if inj.at is not None and inj.at > ctx.end + 1e-9]
    early = ctx.end < sc.duration_min - 1e-9 and later
    for obj in ctx.objectives:
        for task in obj["tasks"]:
            if task["status"] == "not_triggered" and task["obligation"] not in seen:
                seen.add(task["obligation"])
                out.append(
                    {
                        "kind": "not_exercised",
                        "obligation": task["obligation"],
                        "text": t(
                            "afi_not_exercised", lang, duty=task["title"], objective=obj["text"]
                        ),
                        "details": [],
                        "capability": "exercise",
                        "responsible_role": None,
                        "corrective_action": (
                            t(
                                "ca_not_exercised_early",
                                lang,
                                duty=task["title"],
                                end=num(ctx.end),
                                injects=", ".join(later),
                            )
                            if early
                            else t("ca_not_exercised", lang, duty=task["title"])
                        ),
                        "issue": t("issue_not_exercised", lang, duty=task["title"]),
                    }
                )
    return out


def improvement_plan(ctx: Context, afis: list[dict]) -> list[dict]:
    rows = []
    for a in afis:
        if not a.get("capability"):
            continue
        rows.append(
            {
                "issue": a["issue"],
                "corrective_action": a["corrective_action"],
                "capability": a["capability"],
                "responsible_role": a.get("responsible_role"),
                "due": _due(ctx, a["capability"]),
                "obligation": a.get("obligation"),
            }
        )
    return rows
