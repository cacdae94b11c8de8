"""From files to a validated, compiled `Plan`: scenario + merged procedures + overlays.

Shipped files live in `scenarios/`: procedures in `procedures/`, scenarios directly there,
plan variants (overlays) in `variants/`. Anything that takes a SCENARIO takes a shipped
id or a path. Every problem is reported as FILE:LINE:COL with the field it concerns.
"""

from __future__ import annotations

import copy
import hashlib
import os
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import plancache
from .errors import InputError, Problem
from .plan import Plan

# The model (pydantic) is imported by what validates, not here: a plan from the cache is run
# without it (start-up, docs/PERFORMANCE.md).
if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import ErrorDetails

    from .formats.yamlsrc import Positions
    from .model import Procedure, ScriptAction

# shipped inside the package: the data package's folder (what importlib.resources.files gives for
# an installed package, without importing importlib.resources on every start)
SCENARIOS_DIR = Path(str(import_module("drillsim.scenarios").__file__)).parent
PROCEDURES_DIR = SCENARIOS_DIR / "procedures"
VARIANTS_DIR = SCENARIOS_DIR / "variants"
SEARCH_ENV = "DRILLSIM_SCENARIOS"  # more folders to search, separated like PATH


# --- finding files ----------------------------------------------------------------------
# A name is looked up in the user's folders first (the scenario's own folder and the
# `procedures/` or `variants/` folder beside it, then DRILLSIM_SCENARIOS / --scenarios), then
# in the shipped data. A path is taken as it is.


def user_dirs() -> list[Path]:
    """The folders named in DRILLSIM_SCENARIOS (the command line's --scenarios adds to it)."""
    return [Path(d) for d in os.environ.get(SEARCH_ENV, "").split(os.pathsep) if d]


def add_user_dir(folder: str | Path) -> None:
    """Search `folder` too; kept in the environment so that worker processes search it as well."""
    dirs = [str(Path(folder).resolve()), *map(str, user_dirs())]
    os.environ[SEARCH_ENV] = os.pathsep.join(dict.fromkeys(dirs))


def is_path(ref: str) -> bool:
    return Path(ref).suffix in (".yaml", ".yml") or os.sep in ref or "/" in ref


_SHIPPED = {"scenario": SCENARIOS_DIR, "procedure": PROCEDURES_DIR, "variant": VARIANTS_DIR}


def _folders(kind: str, near: tuple[Path, ...]) -> list[Path]:
    sub = {"scenario": None, "procedure": "procedures", "variant": "variants"}[kind]
    shipped = _SHIPPED[kind]
    out: list[Path] = []
    for folder in (*near, *user_dirs()):
        out += [folder, folder / sub] if sub else [folder]
    return [*dict.fromkeys(out), shipped]


def _resolve(ref: str, kind: str, near: tuple[Path, ...] = ()) -> Path:
    path = Path(ref)
    if is_path(ref) or path.is_file():
        if not path.is_file():
            raise InputError([Problem(ref, 1, 1, f"no such {kind} file")])
        return path.resolve()
    folders = _folders(kind, near)
    for folder in folders:
        for candidate in (folder / f"{ref}.yaml", folder / f"{ref}.yml"):
            if candidate.is_file():
                return candidate.resolve()
    known = ", ".join(sorted({p.stem for f in folders for p in f.glob("*.yaml")})) or "none"
    raise InputError([Problem(ref, 1, 1, f"unknown {kind} {ref!r} (known: {known})")])


def scenario_path(ref: str) -> Path:
    return _resolve(ref, "scenario")


def procedure_path(ref: str, near: tuple[Path, ...] = ()) -> Path:
    return _resolve(ref, "procedure", near)


def variant_path(ref: str, near: tuple[Path, ...] = ()) -> Path:
    return _resolve(ref, "variant", near)


def portable_ref(ref: str, kind: str = "scenario", near: tuple[Path, ...] = ()) -> str:
    """How a log or a worker names a file: a shipped id stays an id (any installation has it);
    anything else becomes the file's absolute path, so it is found from any folder."""
    path = _resolve(ref, kind, near)
    return ref if path.parent == _SHIPPED[kind].resolve() and not is_path(ref) else str(path)


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def shipped_scenarios() -> list[dict]:
    """id, title, title_en, type, procedures and path of each scenario found (the user's
    folders first, then the shipped ones; a user's file hides a shipped one of the same id)."""
    from .formats.yamlsrc import load

    out, seen = [], set()
    for folder in _folders("scenario", ()):
        for path in sorted(folder.glob("*.yaml")):
            data, _ = load(path)
            if not isinstance(data, dict) or "injects" not in data or path.stem in seen:
                continue
            seen.add(path.stem)
            out.append(
                {
                    "id": path.stem,
                    "title": data.get("title", ""),
                    "title_en": data.get("title_en", ""),
                    "exercise_type": data.get("exercise_type", ""),
                    "procedures": data.get("procedures", []),
                    "path": str(path),
                }
            )
    return out


def shipped_variants() -> list[dict]:
    """ref (what `--variant` takes), id, title, title_en and base of each plan variant found
    (the user's folders first, then the shipped ones); a file that does not read is left out
    (`validate` says why)."""
    from .formats.yamlsrc import load

    out, seen = [], set()
    for folder in _folders("variant", ()):
        for path in sorted(folder.glob("*.yaml")):
            if path.stem in seen:
                continue
            try:
                data, _ = load(path)
            except InputError:
                continue
            if not isinstance(data, dict):
                continue
            seen.add(path.stem)
            out.append(variant_entry(path.stem, data))
    return out


def variant_entry(ref: str, data: dict) -> dict:
    def text(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    return {
        "ref": ref,
        "id": text("id") or Path(ref).stem,
        "title": text("title"),
        "title_en": text("title_en"),
        "base": text("base") or None,
    }


def fits(variant: dict, scenario_ids: tuple[str, ...]) -> bool:
    """Whether a variant is written for this scenario (one without `base` may be for any)."""
    return variant["base"] is None or variant["base"] in scenario_ids


# --- model validation with positions ----------------------------------------------------


def _data_path(data, loc: tuple) -> tuple:
    """Pydantic's error location, without the union tags it adds, as a path into `data`."""
    path, node = [], data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            path.append(part)
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and not part.startswith(("function-", "json-"))
            and part
            not in (
                "fixed",
                "uniform",
                "triangular",
                "lognormal",
                "exponential",
                "report",
                "grade",
                "classify",
                "task",
                "rules",
                "matrix",
                "int",
                "float",
                "str",
                "bool",
                "list",
                "dict",
                "none",
                "nullable",
            )
        ):
            path.append(part)  # a missing or unknown field: name it
            node = None
    return tuple(path)


def _message(err: ErrorDetails, path: tuple) -> str:
    where = ".".join(str(p) for p in path) or "(top level)"
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return f"{where}: unknown field"
    if kind == "missing":
        return f"{where}: required field is missing"
    if kind == "greater_than" and err.get("ctx", {}).get("gt") == 0:
        return f"{where}: must be greater than 0 (got {err.get('input')!r})"
    if kind.startswith("union_tag"):
        return f"{where}: {msg}"
    msg = msg.removeprefix("Value error, ")
    return f"{where}: {msg}"


M = TypeVar("M", bound="BaseModel")


def validate_model(model: type[M], data, pos: Positions) -> tuple[M | None, list[Problem]]:
    from pydantic import ValidationError

    from .formats.yamlsrc import KEY

    if not isinstance(data, dict):
        return None, [
            pos.problem((), f"expected a mapping of fields for a {model.__name__.lower()}")
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _data_path(data, err["loc"])
            mark_path = path + (KEY,) if err["type"] == "extra_forbidden" else path
            problems.append(pos.problem(mark_path, _message(err, path)))
        return None, problems


def valid(model: type[M], data, pos: Positions) -> M:
    """The validated model, or InputError with every problem."""
    value, problems = validate_model(model, data, pos)
    if value is None:
        raise InputError(problems)
    return value


# --- overlays ---------------------------------------------------------------------------

_KINDS = ("dist", "do", "kind")  # fields that say what kind of thing a mapping is


def merge(base: dict, overlay: dict) -> dict:
    """Overlay wins; mappings merge key by key, anything else is replaced. A mapping that
    changes its kind (another `dist`, `do` or `kind`) replaces the old one whole."""
    out = dict(base)
    for key, value in overlay.items():
        old = out.get(key)
        if (
            isinstance(value, dict)
            and isinstance(old, dict)
            and not any(k in value and value[k] != old.get(k) for k in _KINDS)
        ):
            out[key] = merge(old, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_procedures(parts: list[tuple[dict, Positions]]) -> tuple[dict, Positions, list[Problem]]:
    """Several procedures in one scenario: their roles, channels … are merged by id."""
    from .formats.yamlsrc import KEY, Positions

    (first, first_pos), rest = parts[0], parts[1:]
    data, pos, problems = copy.deepcopy(first), Positions(first_pos.file, dict(first_pos.marks)), []
    for other, other_pos in rest:
        for section in ("attributes", "roles", "channels", "tasks", "services", "obligations"):
            for key, value in (other.get(section) or {}).items():
                mine = data.setdefault(section, {})
                if key in mine and mine[key] != value:
                    problems.append(
                        other_pos.problem(
                            (section, key, KEY),
                            f"{section}.{key}: defined differently in {first_pos.file}",
                        )
                    )
                    continue
                mine[key] = value
                for path, mark in other_pos.marks.items():
                    if path[:2] == (section, key):
                        pos.marks[path] = mark
        if other.get("grading"):
            if data.get("grading"):
                problems.append(
                    other_pos.problem(("grading",), "only one procedure of a scenario may grade")
                )
            else:
                data["grading"] = other["grading"]
                pos.graft(
                    Positions(
                        other_pos.file,
                        {p: m for p, m in other_pos.marks.items() if p[:1] == ("grading",)},
                    )
                )
        data.setdefault("assumptions", []).extend(other.get("assumptions") or [])
    return data, pos, problems


# --- the plan ---------------------------------------------------------------------------


def load_procedure(ref: str) -> tuple[Procedure, Positions]:
    from . import checks
    from .formats.yamlsrc import load
    from .model import Procedure

    data, pos = load(procedure_path(ref))
    proc = valid(Procedure, data, pos)
    problems = checks.check_procedure(proc, pos)
    if problems:
        raise InputError(problems)
    return proc, pos


def load_plan(
    ref: str, variants: tuple[str, ...] | list[str] = (), near: tuple[Path, ...] = ()
) -> Plan:
    """Load a scenario with its procedures and any plan variants; raise InputError on any problem.

    Procedures and variants named by id are looked for beside the scenario file (and in `near`)
    before the user's folders and the shipped ones. A plan validated before from the same files
    comes from the cache (plancache.py) instead."""
    path = scenario_path(ref)
    near = (path.parent, *near)
    variants = [portable_ref(v, "variant", near) for v in variants]
    request = (
        ref,
        str(path),
        tuple(variants),
        tuple(str(variant_path(v, near)) for v in variants),
        tuple(map(str, near)),
        tuple(map(str, user_dirs())),
    )
    cached = plancache.entry(request)
    plan = plancache.get(
        cached, lambda p: [str(procedure_path(r, near)) for r in p.scenario.procedures]
    )
    if plan is None:
        plan = _load_plan(ref, path, variants, near)
        plancache.put(cached, plan)
    return plan


def _load_plan(ref: str, path: Path, variants: list[str], near: tuple[Path, ...]) -> Plan:
    from . import checks
    from .formats.yamlsrc import Positions, load
    from .model import Procedure, Scenario, plain

    sdata, spos = load(path)
    if not isinstance(sdata, dict) or "injects" not in sdata:
        raise InputError([spos.problem((), "not a scenario (a scenario has `injects`)")])
    files = [str(path)]
    metas = []
    for vref in variants:
        vpath = variant_path(vref, near)
        vdata, vpos = load(vpath)
        problems = checks.check_variant(vdata, vpos)
        if problems:
            raise InputError(problems)
        base = vdata.get("base")
        if base and base not in (sdata.get("id"), path.stem):
            # an overlay written for another scenario fails somewhere deep in the merge; say why
            raise InputError(
                [
                    vpos.problem(
                        ("base",),
                        f"base: variant {vdata.get('id', vref)} is for scenario {base}, "
                        f"not {sdata.get('id', path.stem)}",
                    )
                ]
            )
        files.append(str(vpath))
        metas.append(
            {
                "id": str(vdata.get("id") or vpath.stem),
                "title": str(vdata.get("title", "")),
                "title_en": str(vdata.get("title_en", "")),
                "file": str(vpath),
            }
        )
        if "scenario" in vdata:
            sdata = merge(sdata, vdata["scenario"])
            spos.graft(
                Positions(
                    vpos.file, {p[1:]: m for p, m in vpos.marks.items() if p[:1] == ("scenario",)}
                )
            )
        if "procedure" in vdata:
            sdata = merge(sdata, {"overrides": vdata["procedure"]})
            spos.graft(
                Positions(
                    vpos.file,
                    {
                        ("overrides",) + p[1:]: m
                        for p, m in vpos.marks.items()
                        if p[:1] == ("procedure",)
                    },
                )
            )
    scenario = valid(Scenario, sdata, spos)

    parts, sources = [], []
    for i, pref in enumerate(scenario.procedures):
        try:
            ppath = procedure_path(pref, near)
        except InputError:
            raise InputError(
                [spos.problem(("procedures", i), f"procedures[{i}]: unknown procedure {pref!r}")]
            )
        pdata, ppos = load(ppath)
        proc = valid(Procedure, pdata, ppos)
        parts.append((pdata, ppos))
        sources.append(
            {
                "id": proc.id,
                "title": proc.title,
                "title_en": proc.title_en,
                "version": proc.version,
                "file": str(ppath),
            }
        )
        files.append(str(ppath))
    pdata, ppos, problems = _merge_procedures(parts)
    if scenario.overrides:
        pdata = merge(pdata, scenario.overrides)
        ppos.graft(
            Positions(
                spos.file, {p[1:]: m for p, m in spos.marks.items() if p[:1] == ("overrides",)}
            )
        )
    if scenario.drill is not None:
        # In a live drill a stamp says the thing happened: a message is what an evaluator saw
        # sent, so no channel may lose it or hold it back.
        instant = {"failure": 0, "latency": {"dist": "fixed", "value": 0}}
        pdata = merge(pdata, {"channels": {c: instant for c in pdata.get("channels") or {}}})
    procedure, more = validate_model(Procedure, pdata, ppos)
    problems += more
    if procedure is not None:
        problems += checks.check_procedure(procedure, ppos, scenario.injects)
        problems += checks.check_scenario(sdata, spos, procedure)
    if problems or procedure is None:
        raise InputError(problems)
    plan = Plan(
        ref=portable_ref(ref),
        scenario=plain(scenario),
        procedure=plain(procedure),
        sources=sources,
        variants=list(variants),
        files=files,
        hashes={f: sha256(f) for f in files},
        variant_meta=metas,
    )
    plan.conditions = checks.compile_all(procedure, scenario)
    return plan


def load_actions(path: str | Path, plan: Plan) -> list[ScriptAction]:
    """An actions file: a YAML list of {at, role, do, …}; checked against the plan."""
    from . import checks
    from .formats.yamlsrc import Positions, load
    from .model import ScriptAction

    data, pos = load(path)
    if not isinstance(data, list):
        raise InputError([pos.problem((), "an actions file is a YAML list of actions")])
    actions, problems = [], []
    for i, item in enumerate(data):
        sub = Positions(pos.file, {p[1:]: m for p, m in pos.marks.items() if p[:1] == (i,)})
        sub.marks.setdefault((), pos.at((i,)))
        action, errs = validate_model(ScriptAction, item, sub)
        problems += [Problem(e.file, e.line, e.col, f"[{i}] {e.message}") for e in errs]
        if action is not None:
            problems += [
                Problem(e.file, e.line, e.col, f"[{i}] {e.message}")
                for e in checks.check_action(action, plan.procedure, plan.scenario, sub)
            ]
            actions.append(action)
    if problems:
        raise InputError(problems)
    return sorted(actions, key=lambda a: a.at)  # stable: same-minute actions keep file order


def validate_file(path: str) -> list[Problem]:
    """What `drillsim validate` checks for one file, whatever kind it is."""
    from . import checks
    from .formats.yamlsrc import load
    from .model import Procedure

    try:
        data, pos = load(path)
        if isinstance(data, list):
            return [
                pos.problem(
                    (),
                    "a YAML list is an actions file, which is checked against a scenario: "
                    "drillsim validate --actions FILE --scenario SCENARIO",
                )
            ]
        if not isinstance(data, dict):
            return [pos.problem((), "expected a procedure, scenario or variant (a YAML mapping)")]
        if "obligations" in data:
            proc, problems = validate_model(Procedure, data, pos)
            return checks.check_procedure(proc, pos) if proc is not None else problems
        if "injects" in data:
            load_plan(path)
            return []
        if "procedure" in data or "scenario" in data:
            problems = checks.check_variant(data, pos)
            if problems:
                return problems
            if data.get("base"):
                load_plan(data["base"], [path])
            return []
        return [
            pos.problem(
                (),
                "not a procedure (`obligations`), scenario (`injects`) or variant "
                "(`procedure`/`scenario` overlay)",
            )
        ]
    except InputError as exc:
        return exc.problems
