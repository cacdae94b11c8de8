"""A void duty (a recurring duty still open when its `until` began to hold: 000 §二(二)2, the
coordination group's update open when the event recovered) is told as void wherever people read
verdicts: the console's event feed, `drillsim score`'s text, the score screen's summary and the
after-action report, in Chinese and English; it is neither hit nor missed nor 'not triggered'."""

from __future__ import annotations

import pytest

from drillsim.cli import main
from drillsim.scoring.report import build_report, render
from drillsim.simulator.loader import load_plan
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.runner import run_plan
from drillsim.tui.exercise import Exercise
from drillsim.tui.widgets.facilitator import FacilitatorView
from drillsim.words import Tr, t
from drillsim.words.names import Names
from tests.test_until_and_absence import coordination, post


@pytest.fixture(scope="module")
def void_log(tmp_path_factory):
    """Posts at 50, 80 and 110, recovery at 130: the update due at 140 is void."""
    folder = tmp_path_factory.mktemp("void")
    path = coordination(folder, 20, 130)
    plan = load_plan(path)
    script = [ScriptAction.model_validate(post(at)) for at in (50, 80, 110)]
    log = folder / "void.jsonl"
    session = run_plan(plan, seed=1, actions=script, others="idle", log_path=log)
    return plan, session.events, log


def test_the_log_has_the_void_event(void_log):
    _, events, _ = void_log
    (void,) = [e for e in events if e["type"] == "void"]
    assert (void["obligation"], void["n"], void["t"]) == ("coordination_updates", 4, 130)


@pytest.mark.parametrize(
    "lang, words",
    [
        ("zh", ["义务作废", "第4次", "协调组", "不再需要"]),
        ("en", ["void:", "#4", "Coordination group", "no longer owed"]),
    ],
)
def test_the_event_feed_tells_void(void_log, tmp_path, lang, words):
    plan, events, _ = void_log
    ex = Exercise(plan, [], "exercise", 1, tmp_path / f"feed-{lang}.jsonl")
    view = FacilitatorView(ex, Names(plan, lang), Tr(lang))
    (void,) = [e for e in events if e["type"] == "void"]
    when, text = view.describe(void)
    assert when == Names(plan, lang).clock(130)
    assert all(w in text.plain for w in words), text.plain
    assert Names(plan, lang).duty("coordination_updates") in text.plain


@pytest.mark.parametrize("lang, word", [("zh", "作废"), ("en", "void")])
def test_score_text_counts_void(void_log, capsys, lang, word):
    _, _, log = void_log
    assert main(["--lang", lang, "score", str(log)]) == 0
    out = capsys.readouterr().out
    summary = [line for line in out.splitlines() if line.startswith(t("summary", lang))]
    assert len(summary) == 1 and f"{word} 1" in summary[0]
    assert f"{t('missed', lang)} 0" in summary[0]
    # the duty's own row says void, not missed
    rows = [line for line in out.splitlines() if t("void", lang) in line and "000" in line]
    assert len(rows) == 1


@pytest.mark.parametrize(
    "lang, sentence",
    [("zh", "另有1项在终止条件成立时尚未到截止时间,已作废"), ("en", "1 more were void")],
)
def test_the_report_counts_and_shows_void(void_log, lang, sentence):
    _, _, log = void_log
    rep = build_report(log, lang=lang)
    md = render(rep, "md")
    assert sentence in md
    statuses = [v["status"] for v in rep["verdicts"] if v["id"] == "coordination_updates"]
    assert statuses == ["hit", "hit", "hit", "void"]
    assert f"| {t('void', lang)} |" in md
    html = render(rep, "html")
    assert 'data-status="void"' in html


def test_the_score_screen_counts_void(void_log, tmp_path):
    from drillsim.scoring.verdicts import score
    from drillsim.tui.screens.score import ScoreScreen

    plan, events, _ = void_log
    screen = ScoreScreen.__new__(ScoreScreen)
    ex = Exercise(plan, [], "exercise", 1, tmp_path / "s.jsonl")
    ex.end_reason = "scenario end"
    result = score(plan, events)
    for lang, word in (("zh", "作废 1"), ("en", "void 1")):
        screen.tr, screen.names, screen.ex = Tr(lang), Names(plan, lang), ex
        screen.result = screen.saved = screen.live = result
        screen.record = screen.trainee = None
        assert word in screen.render_head().plain


@pytest.mark.parametrize("scenario", ["payment_outage", "warehouse_fire", "service_desk_shift"])
def test_the_scenario_description_is_in_the_reports_language(tmp_path, scenario):
    """A Chinese report describes the scenario in Chinese only, an English one in English."""
    import re

    plan = load_plan(scenario)
    assert plan.scenario.description and plan.scenario.description_en
    assert not re.search(r"[\u4e00-\u9fff]", plan.scenario.description_en)
    log = tmp_path / "r.jsonl"
    run_plan(plan, seed=1, log_path=log)
    rows = {}
    for lang in ("zh", "en"):
        md = render(build_report(log, lang=lang), "md")
        (rows[lang],) = [
            line for line in md.splitlines() if line.startswith(f"| {t('f_description', lang)} |")
        ]
    assert " ".join(plan.scenario.description.split())[:20] in rows["zh"]
    assert not re.search(r"[A-Za-z]{4,} [A-Za-z]{3,} [A-Za-z]{3,}", rows["zh"])
    assert " ".join(plan.scenario.description_en.split())[:20] in rows["en"]
    assert not re.search(r"[\u4e00-\u9fff]", rows["en"])
