"""The plain-language conclusions of a comparison: one sentence per real change, zh or en.

A committee member reads these first, so they say what changed in words: "on time in 81% of
runs instead of 75% (+6 points, 95% interval +5 to +8)", never "pp", "CI" or "*". A difference
is a change only when its own 95% interval excludes zero (`changed`, `changed_rto`,
`changed_downtime` in the compare JSON). Where the variant moved a duty's deadline, the sentence
says so and judges the response against the old deadline too, so that a relaxed rule is not
read as a faster response.
"""

from __future__ import annotations

from drillsim.words import t
from drillsim.words.formatting import level_word, num, pct


def points(x: float | None) -> str:
    """A difference of two shares in percentage points, signed: +6, -0.4."""
    if x is None:
        return "-"
    v = x * 100
    digits = 0 if abs(v) >= 9.5 else 1
    text = num(abs(v), digits)
    return ("+" if v > 0 else "-" if v < 0 and text != "0" else "±") + text


def shares(base: float | None, variant: float | None) -> tuple[str, str]:
    """Two shares as percentages, whole unless rounding would make two different shares read
    the same ('from 96% to 96%'): then to one decimal (95.6% to 95.8%)."""
    whole = pct(base), pct(variant)
    if base is not None and variant is not None and base != variant and whole[0] == whole[1]:
        return pct(base, 1), pct(variant, 1)
    return whole


def points_ci(pair) -> str:
    """The interval of a change in points, without jargon: '+1.4…+6.6'."""
    if not pair or pair[0] is None:
        return "-"
    return f"{points(pair[0])}…{points(pair[1])}"


def _minutes(x: float | None, lang: str) -> str:
    return "-" if x is None else t("dur_m", lang, m=num(x))


def _signed_minutes(x: float | None, lang: str) -> str:
    if x is None:
        return "-"
    text = num(abs(x))
    sign = "±" if text == "0" else "+" if x > 0 else "-"
    return sign + t("dur_m", lang, m=text)


def deadline_text(dl: dict | None, lang: str) -> str:
    """A deadline as the compare JSON gives it: {"min": 15}, {"clock": "18:00"} or
    {"by_level": {"1": 15, "2": 30}}; None: the duty is not in that plan."""
    if dl is None:
        return t("cc_no_duty", lang)
    if "min" in dl:
        return _minutes(dl["min"], lang)
    if "clock" in dl:
        return t("cc_dl_clock", lang, clock=dl["clock"])
    return t("cc_list_sep", lang).join(
        t("cc_dl_level", lang, level=level_word(k, lang), m=_minutes(m, lang))
        for k, m in sorted(dl["by_level"].items())
    )


def _title(item: dict, key: str, lang: str) -> str:
    if lang == "en":
        return item.get(f"{key}_en") or item.get(key) or item.get("id", "")
    return item.get(key) or item.get("id", "")


def variant_conclusions(v: dict, lang: str) -> list[str]:
    """The sentences for one variant of a compare result."""
    name = _title(v, "title", lang) or v["id"]
    out = []
    for d in v["obligations"]:
        duty = _title(d, "title", lang)
        if d.get("rule_changed"):
            if d.get("p_hit_base") is None and d.get("p_hit_variant") is None:
                continue
            same = d.get("same_rule") or {}
            if same.get("changed"):
                response = t(
                    "cc_response_changed",
                    lang,
                    ps=pct(same["p_hit"]),
                    pb=pct(d.get("p_hit_base")),
                    d=points(same["delta"]),
                    lo=points(same["ci95"][0]),
                    hi=points(same["ci95"][1]),
                )
            elif same.get("p_hit") is not None:
                response = t("cc_response_same", lang, ps=pct(same["p_hit"]))
            else:
                response = t("cc_response_unknown", lang)
            out.append(
                t(
                    "cc_rule",
                    lang,
                    variant=name,
                    duty=duty,
                    db=deadline_text(d.get("deadline_base"), lang),
                    dv=deadline_text(d.get("deadline_variant"), lang),
                    pv=pct(d.get("p_hit_variant")),
                    pb=pct(d.get("p_hit_base")),
                    response=response,
                )
            )
        elif d.get("changed"):
            out.append(
                t(
                    "cc_duty",
                    lang,
                    variant=name,
                    duty=duty,
                    **dict(zip(("pb", "pv"), shares(d.get("p_hit_base"), d.get("p_hit_variant")))),
                    d=points(d.get("delta_p_hit")),
                    lo=points((d.get("ci95") or [None, None])[0]),
                    hi=points((d.get("ci95") or [None, None])[1]),
                )
            )
    for s in v["services"]:
        service = _title(s, "name", lang) or s["service"]
        if "p_rto_met_base" in s and s["p_rto_met_base"] is None and s["p_rto_met_variant"] is None:
            continue  # it never went down in either plan
        said = False
        if s.get("changed_rto"):
            said = True
            out.append(
                t(
                    "cc_rto",
                    lang,
                    variant=name,
                    service=service,
                    **dict(
                        zip(
                            ("pb", "pv"),
                            shares(s.get("p_rto_met_base"), s.get("p_rto_met_variant")),
                        )
                    ),
                    d=points(s.get("delta_p_rto_met")),
                    lo=points((s.get("ci95") or [None, None])[0]),
                    hi=points((s.get("ci95") or [None, None])[1]),
                )
            )
        if s.get("changed_downtime"):
            said = True
            out.append(
                t(
                    "cc_downtime",
                    lang,
                    service=service,
                    mb=_minutes(s.get("downtime_mean_base"), lang),
                    mv=_minutes(s.get("downtime_mean_variant"), lang),
                    d=_signed_minutes(s.get("delta_downtime_mean_min"), lang),
                    lo=_signed_minutes((s.get("downtime_ci95") or [None, None])[0], lang),
                    hi=_signed_minutes((s.get("downtime_ci95") or [None, None])[1], lang),
                )
            )
        if not said:
            out.append(t("cc_rto_same", lang, service=service))
    if not any(d.get("changed") or d.get("rule_changed") for d in v["obligations"]) and not any(
        s.get("changed_rto") or s.get("changed_downtime") for s in v["services"]
    ):
        out.insert(0, t("cc_nothing", lang, variant=name))
    return out


def conclusions(result: dict, lang: str) -> list[tuple[str, list[str]]]:
    """[(variant id, its sentences)] for a compare result."""
    return [(v["id"], variant_conclusions(v, lang)) for v in result["variants"]]
