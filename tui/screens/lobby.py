"""The lobby (`drillsim play` without a scenario): pick the scenario, the roles people play,
the plan variants written for that scenario, the log, the mode, the clock speed and the seed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from drillsim.simulator.errors import InputError
from drillsim.simulator.loader import fits, load_plan, shipped_variants, variant_entry
from drillsim.simulator.plan import Plan
from drillsim.words import Tr
from drillsim.words.names import Names

from ..clock import SPEEDS
from ..exercise import MODES
from ..keys import localize
from ..widgets.bars import KeyFooter, TitleBar

if TYPE_CHECKING:
    from ..app import DrillApp


class LobbyScreen(Screen):
    BINDINGS = [Binding("ctrl+s", "start", "key_start", key_display="^s", priority=True)]

    def __init__(
        self,
        tr: Tr,
        scenarios: list[dict],
        scenario: str | None = None,
        roles=(),
        mode: str | None = None,
        speed: float = 1.0,
        seed: int = 1,
        variants=(),
        log: str | Path | None = None,
    ):
        super().__init__(classes="lobby-screen")
        localize(self, tr)
        self.tr, self.catalog = tr, scenarios
        self.want_scenario, self.want_roles, self.want_mode = scenario, list(roles), mode
        self.want_variants = list(variants)  # `--variant`: ticked where it fits
        self.variant_catalog: list[dict] | None = None  # loaded with the first scenario
        self.plans: dict[str, Plan | str] = {}  # id -> plan, or the error text
        self.scenarios = OptionList(
            *[Option(self._title(s), id=s["id"]) for s in scenarios], id="scenarios", compact=True
        )
        self.roles = SelectionList[str](id="roles", compact=True)
        self.variant_list = SelectionList[str](id="variants", compact=True)
        self.log_input = Input(
            str(log) if log else "",
            placeholder=tr("lobby_log_default"),
            id="log",
            compact=True,
        )
        self.modes = OptionList(
            *[Option(tr(f"mode_name_{m}"), id=m) for m in MODES], id="modes", compact=True
        )
        self.speeds = OptionList(
            *[Option(tr("speed_fmt", x=s), id=str(s)) for s in SPEEDS], id="speeds", compact=True
        )
        self.seed = Input(str(seed), id="seed", type="integer", compact=True)
        self.info = Static("", id="scenario-info")
        self.error = Static("", id="lobby-error")
        self._speed = min(SPEEDS, key=lambda s: abs(s - speed))
        self._roles_for: str | None = None

    def _title(self, s: dict) -> str:
        title = (s["title_en"] or s["title"]) if self.tr.lang == "en" else s["title"]
        return f"{s['id']}\n{title}"

    def compose(self) -> ComposeResult:
        tr = self.tr
        yield TitleBar(
            Text(f" {tr('app_title')} · {tr('lobby_title')}", style="bold"), id="title-bar"
        )
        with Horizontal(id="lobby"):
            with Vertical(id="lobby-left"):
                yield Static(tr("lobby_scenario"), classes="field-label")
                yield self.scenarios
                info_box = VerticalScroll(self.info, id="info-box")
                info_box.can_focus = False  # Tab goes from the scenarios to the roles
                yield info_box
            with Vertical(id="lobby-mid"):
                yield Static(tr("lobby_roles"), classes="field-label")
                yield self.roles
                yield Static(tr("lobby_variants"), classes="field-label")
                yield self.variant_list
                yield Static(tr("lobby_log"), classes="field-label")
                yield self.log_input
            with Vertical(id="lobby-right"):
                yield Static(tr("lobby_mode"), classes="field-label")
                yield self.modes
                yield Static(tr("lobby_speed"), classes="field-label")
                yield self.speeds
                yield Static(tr("lobby_seed"), classes="field-label")
                yield self.seed
                yield Button(tr("lobby_start"), id="start", compact=True, variant="primary")
                yield self.error
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.seed.cursor_blink = getattr(self.app, "cursor_blink", True)
        self.log_input.cursor_blink = self.seed.cursor_blink
        self.variant_list.disabled = True  # until a scenario's variants are known
        self.speeds.highlighted = SPEEDS.index(self._speed)
        self.modes.highlighted = MODES.index(self.want_mode) if self.want_mode in MODES else 1
        if not self.catalog:
            self.error.update(self.tr("lobby_no_scenario"))
            return
        ids = [s["id"] for s in self.catalog]
        self.scenarios.highlighted = (
            ids.index(self.want_scenario) if self.want_scenario in ids else 0
        )
        self.scenarios.focus()

    # --- the chosen scenario -------------------------------------------------------------------------
    @property
    def scenario_id(self) -> str | None:
        i = self.scenarios.highlighted
        return None if i is None else self.scenarios.get_option_at_index(i).id

    def _entry(self, sid: str) -> dict:
        return next(s for s in self.catalog if s["id"] == sid)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list is self.scenarios:
            self._show_scenario()
        else:
            self._show_info()

    def on_selection_list_selected_changed(self, _event) -> None:
        self._show_info()

    def _show_scenario(self) -> None:
        sid = self.scenario_id
        if sid is None:
            return
        plan = self.plans.get(sid)
        if plan is None:
            self.info.update(Text(self.tr("lobby_loading"), style="dim"))
            self.load(sid)
            return
        if isinstance(plan, Plan) and self._roles_for != sid:
            self._roles_for = sid
            names = Names(plan, self.tr.lang)
            want = set(self.want_roles) if sid == self.want_scenario else set()
            self.roles.clear_options()
            self.roles.add_options(
                [Selection(names.role(r), r, r in want) for r in plan.procedure.roles]
            )
            self.roles.highlighted = 0
            if self.want_mode is None or sid != self.want_scenario:
                self.modes.highlighted = MODES.index(plan.scenario.mode)
            self._show_variants(sid, plan, names)
        self._show_info()

    @work(thread=True, exclusive=True, group="lobby-load")
    def load(self, sid: str) -> None:
        ref = self._ref(sid)
        if self.variant_catalog is None:
            self.variant_catalog = self._variants()
        try:  # the plan as written: the variants are applied when the exercise starts
            plan: Plan | str = load_plan(ref)
        except InputError as exc:
            plan = "; ".join(str(p) for p in exc.problems[:3])
        self.app.call_from_thread(self._loaded, sid, plan)

    def _variants(self) -> list[dict]:
        """The variants found, and those given with `--variant` as files."""
        from drillsim.simulator.formats.yamlsrc import load
        from drillsim.simulator.loader import variant_path

        found = shipped_variants()
        known = {v["ref"] for v in found}
        for ref in self.want_variants:
            if ref in known:
                continue
            try:
                data, _ = load(variant_path(ref))
            except InputError:
                continue  # named again when the exercise starts, with its line and field
            if isinstance(data, dict):
                found.append(variant_entry(ref, data))
        return found

    def _fitting(self, sid: str, plan: Plan) -> list[dict]:
        return [v for v in self.variant_catalog or [] if fits(v, (sid, plan.scenario.id))]

    def _show_variants(self, sid: str, plan: Plan, names: Names) -> None:
        """Only the variants written for this scenario; `--variant` ticked where it fits."""
        offered = self._fitting(sid, plan)
        want = set(self.want_variants)
        self.variant_list.clear_options()
        self.variant_list.add_options(
            [
                Selection(self._variant_title(v), v["ref"], v["ref"] in want or v["id"] in want)
                for v in offered
            ]
        )
        self.variant_list.disabled = not offered
        if offered:
            self.variant_list.highlighted = 0

    def _variant_title(self, v: dict) -> str:
        title = (v["title_en"] or v["title"]) if self.tr.lang == "en" else v["title"]
        return f"{v['id']} {title}".strip()

    def _loaded(self, sid: str, plan) -> None:
        self.plans[sid] = plan
        if sid == self.scenario_id:
            self._show_scenario()

    def _show_info(self) -> None:
        tr, sid = self.tr, self.scenario_id
        if sid is None:
            return
        plan = self.plans.get(sid)
        out = Text()
        if isinstance(plan, str):
            out.append(tr("lobby_load_error", error=plan), style="red")
            self.info.update(out)
            return
        if plan is None:
            return
        names, sc = Names(plan, tr.lang), plan.scenario
        out.append(names.scenario_title() + "\n", style="bold")
        out.append(
            tr(
                "lobby_info",
                type=tr(f"type_{sc.exercise_type}"),
                minutes=f"{sc.duration_min:g}",
                injects=len(sc.injects),
                procedures=", ".join(sc.procedures),
            )
            + "\n",
            style="dim",
        )
        mode = self._chosen(self.modes)
        if mode:
            out.append(tr(f"mode_{mode}") + "\n", style="cyan")
        chosen = list(self.variant_list.selected)
        if chosen:
            out.append(tr("lobby_variants_picked", variants=", ".join(chosen)) + "\n", style="cyan")
        elsewhere = self._elsewhere(sid, plan)
        if elsewhere:
            out.append(tr("lobby_variant_elsewhere", variants=", ".join(elsewhere)) + "\n")
        picked = list(self.roles.selected)
        out.append(
            (
                tr("lobby_roles_picked", roles=names.roles(picked))
                if picked
                else tr("lobby_no_roles")
            )
            + "\n",
            style="yellow" if not picked else "green",
        )
        if sc.description:
            out.append("\n" + " ".join(names.scenario_description().split()))
        self.info.update(out)

    def _elsewhere(self, sid: str, plan: Plan) -> list[str]:
        """The `--variant`s not written for this scenario (not offered here; said, not hidden)."""
        offered = {x for v in self._fitting(sid, plan) for x in (v["ref"], v["id"])}
        return [v for v in self.want_variants if v not in offered]

    @staticmethod
    def _chosen(olist: OptionList) -> str | None:
        i = olist.highlighted
        return None if i is None else olist.get_option_at_index(i).id

    # --- start ---------------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def on_input_submitted(self, _event) -> None:
        self.action_start()

    def action_start(self) -> None:
        sid = self.scenario_id
        plan = self.plans.get(sid) if sid else None
        if sid is None or not isinstance(plan, Plan):
            self.error.update(
                self.tr("lobby_loading")
                if plan is None
                else self.tr("lobby_load_error", error=plan)
            )
            return
        try:
            seed = int(self.seed.value.strip())
            if seed < 0:
                raise ValueError
        except ValueError:
            self.error.update(self.tr("lobby_bad_seed"))
            self.seed.focus()
            return
        speed = float(self._chosen(self.speeds) or 1)
        mode = self._chosen(self.modes) or plan.scenario.mode
        variants = list(self.variant_list.selected)
        log = self.log_input.value.strip() or None
        try:
            if variants:
                plan = load_plan(self._ref(sid), variants)
            cast("DrillApp", self.app).start_exercise(
                plan, list(self.roles.selected), mode, speed, seed, log=log
            )
        except InputError as exc:  # a log that exists, a variant that does not load …
            self.error.update(Text("\n".join(str(p) for p in exc.problems[:3])))
            if log is not None:
                self.log_input.focus()

    def _ref(self, sid: str) -> str:
        entry = self._entry(sid)
        return Path(entry["path"]).stem if entry.get("path") else sid  # as `drillsim play ID`
