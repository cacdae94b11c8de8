"""A drill's site variant against the base, by the evacuation model: what `drillsim predict
--variant V` and `drillsim compare DRILL_SCENARIO V` print (the same table, zh or en).

The Monte Carlo of `compare` plays the procedure's duties with bots; a site variant ("what if
exit B is blocked?") changes no duty, only the site, so for a drill scenario `compare` hands
over to this: the evacuation model run on the same draws for the base and each variant, with
the paired difference and its 95% interval for every time (each area cleared and checked in,
the last person out, the last at the assembly point, the headcount complete).
"""

from __future__ import annotations

from drillsim.simulator.drill.evacuation import Prediction, compare, predict
from drillsim.simulator.drill.roster import Roster
from drillsim.simulator.drill.site import load_site
from drillsim.simulator.errors import InputError, Problem
from drillsim.simulator.loader import load_plan
from drillsim.words import t

from .montecarlo import _title, variant_meta
from .tables import table


def people_of(roster: Roster | None) -> tuple[dict[str, int] | None, int | None]:
    """People present today per area, and the wardens among them (None: the site's own)."""
    if roster is None:
        return None, None
    counts: dict[str, int] = {}
    for p in roster.people:
        if p.present:
            counts[p.area] = counts.get(p.area, 0) + 1
    return counts, sum(1 for p in roster.people if p.warden and p.present) or None


def evacuation_comparison(
    scenario: str,
    variants: list[str],
    roster: Roster | None = None,
    n: int = 500,
    seed: int = 1,
) -> dict:
    """The base's prediction and each variant's, with the paired differences (JSON-ready)."""
    site = load_site(load_plan(scenario))
    if site is None:
        raise InputError(
            [Problem(scenario, 1, 1, "the scenario has no `drill.site` layout to predict")]
        )
    counts, wardens = people_of(roster)
    base = predict(site, counts, wardens, n=n, seed=seed)
    out: dict = {"scenario": scenario, "site": site.id, "n": n, "seed": seed}
    out["base"] = base.to_dict()
    out["_predictions"] = {"base": base}
    for v in variants:
        vsite = load_site(load_plan(scenario, [v]))
        assert vsite is not None  # a variant keeps the base's site, changed or not
        other = predict(vsite, counts, wardens, n=n, seed=seed)
        meta = variant_meta(v)
        out[v] = {"variant": meta, **other.to_dict(), "difference": compare(base, other)}
        out["_predictions"][v] = other
    return out


def public(result: dict) -> dict:
    """The comparison without the raw draws (what --json prints)."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


def metric_label(metric: str, lang: str) -> str:
    if ":" in metric:
        what, area = metric.split(":", 1)
        return t("rec_area_checked" if what == "checked" else "evac_area_clear", lang, area=area)
    return t(f"evac_{metric}", lang)


def render(result: dict, lang: str) -> str:
    heads = [t(k, lang) for k in ("evac_col_minutes", "evac_col_mean")] + ["5%", "50%", "95%"]
    blocks = []
    predictions: dict[str, Prediction] = result["_predictions"]
    for v, pred in predictions.items():
        rows = []
        for m in pred.values:
            s = pred.stats(m)
            row = [metric_label(m, lang)] + [f"{s[k]:.1f}" for k in ("mean", "p5", "p50", "p95")]
            if v != "base":
                d = result[v]["difference"][m]
                row.append(f"{d['mean']:+.2f} [{d['ci95'][0]:+.2f}, {d['ci95'][1]:+.2f}]")
            rows.append(row)
        extra = [] if v == "base" else [t("evac_col_vs_base", lang)]
        name = t("evac_base", lang) if v == "base" else v
        if v != "base" and result[v]["variant"]["title"]:
            name += f" ({_title(result[v]['variant'], lang)})"
        title = f"{result['site']} · {name} · n={result['n']} seed={result['seed']}"
        blocks.append(title + "\n" + table(heads + extra, rows, max_col=40))
    return "\n\n".join(blocks) + "\n"
