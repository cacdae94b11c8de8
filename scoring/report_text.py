"""The readable verdicts table `drillsim run` and `drillsim score` print."""

from __future__ import annotations

from drillsim.simulator.loader import Plan

from .tables import table

WORDS = {
    "zh": {
        "clause": "条款",
        "role": "角色",
        "duty": "义务",
        "due": "触发",
        "deadline": "时限",
        "done": "完成",
        "verdict": "结论",
        "hit": "按时",
        "late": "迟",
        "missed": "未完成",
        "open": "未到期",
        "not_triggered": "未触发",
        "service": "服务",
        "down": "中断",
        "restored": "恢复",
        "downtime": "中断时长",
        "rto": "RTO",
        "met": "达成",
        "not met": "未达成",
        "unknown": "未定",
        "summary": "合计",
        "rate": "按时率",
        "grades": "定级正确",
        "by": "代",
        "min": "分钟",
    },
    "en": {
        "clause": "clause",
        "role": "role",
        "duty": "duty",
        "due": "due",
        "deadline": "deadline",
        "done": "done at",
        "verdict": "verdict",
        "hit": "hit",
        "late": "late",
        "missed": "missed",
        "open": "open",
        "not_triggered": "not triggered",
        "service": "service",
        "down": "down",
        "restored": "restored",
        "downtime": "downtime",
        "rto": "RTO",
        "met": "met",
        "not met": "not met",
        "unknown": "undecided",
        "summary": "summary",
        "rate": "on-time rate",
        "grades": "grades correct",
        "by": "by",
        "min": "min",
    },
}


def clock(plan: Plan, t: float | None) -> str:
    if t is None:
        return "-"
    h, m = map(int, plan.scenario.start_clock.split(":"))
    total = int(round(h * 60 + m + t))
    day = total // 1440
    return f"{t:.1f} ({total // 60 % 24:02d}:{total % 60:02d}{'+' + str(day) + 'd' if day else ''})"


def render(plan: Plan, result: dict, lang: str = "en") -> str:
    w = WORDS[lang]
    roles = plan.procedure.roles
    name = lambda r: (
        (roles[r].name if lang == "zh" else roles[r].name_en or roles[r].name)
        if r in roles
        else (r or "-")
    )
    rows = []
    for o in result["obligations"]:
        verdict = w[o["status"]]
        if o["status"] == "late":
            verdict += f" {o['late_by_min']:.1f} {w['min']}"
        who = name(o["role"])
        if o["acted_by"] and o["acted_by"] != o["role"]:
            who += f" ({w['by']} {name(o['acted_by'])})"
        title = o["title_en"] if lang == "en" and o["title_en"] else o["title"]
        if o["occurrence"] and o["occurrence"] > 1:
            title += f" #{o['occurrence']}"
        if o["incident"] and len(plan.scenario.incidents) > 1:
            title = f"[{o['incident']}] " + title
        rows.append(
            [
                o["clause"],
                who,
                title,
                clock(plan, o["triggered_at"]),
                clock(plan, o["deadline_at"]),
                clock(plan, o["done_at"]),
                verdict,
            ]
        )
    out = [
        f"{plan.scenario.id}: {plan.scenario.title if lang == 'zh' else plan.scenario.title_en or plan.scenario.title}"
        f"  (seed {result['seed']})",
        table(
            [w["clause"], w["role"], w["duty"], w["due"], w["deadline"], w["done"], w["verdict"]],
            rows,
            max_col=44,
        ),
    ]
    if result["continuity"]:
        crow = []
        for c in result["continuity"]:
            met = (
                w["unknown"] if c["rto_met"] is None else w["met"] if c["rto_met"] else w["not met"]
            )
            svc = plan.procedure.services[c["service"]]
            crow.append(
                [
                    svc.name if lang == "zh" else svc.name_en or svc.name,
                    clock(plan, c["down_at"]),
                    clock(plan, c["restored_at"]),
                    f"{c['downtime_min']:.1f}",
                    f"{c['rto_min']:g}",
                    met,
                ]
            )
        out += [
            "",
            table(
                [
                    w["service"],
                    w["down"],
                    w["restored"],
                    w["downtime"],
                    w["rto"],
                    w["rto"] + " " + w["met"],
                ],
                crow,
            ),
        ]
    s = result["summary"]
    rate = "-" if s["sla_hit_rate"] is None else f"{s['sla_hit_rate']:.0%}"
    out += [
        "",
        f"{w['summary']}: {w['hit']} {s['hit']}, {w['late']} {s['late']}, {w['missed']} {s['missed']}, "
        f"{w['open']} {s['open']}, {w['not_triggered']} {s['not_triggered']}; {w['rate']} {rate}; "
        f"{w['grades']} {s['grades_correct']}/{s['grades']}",
    ]
    return "\n".join(out)
