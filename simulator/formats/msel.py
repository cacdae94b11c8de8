"""The MSEL (master scenario events list) as a spreadsheet: a scenario's injects ↔ CSV or XLSX.

    export_msel(plan, "msel.xlsx")                   # or .csv (UTF-8 with BOM, so Excel shows Chinese)
    text = import_msel("msel.xlsx", base=None)       # scenario YAML: the base scenario with these injects

Row 1 records the scenario (`# drillsim MSEL | scenario=payment_outage | start_clock=09:30`);
row 2 is the header; one inject per row after that. The columns (docs/REPORTS.md) hold
everything an inject has, so export → import → export gives identical files. Import takes the
rest of the scenario (procedures, incidents, timeline, absences, outages, objectives,
overrides …) from `base` (default: the scenario named in row 1), checks the result exactly as
`load_plan` does, and reports spreadsheet problems as FILE:ROW:COL: message.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import yaml

from .. import checks
from ..errors import InputError, Problem
from ..loader import load_plan, scenario_path, validate_model
from ..model import Inject, Scenario
from ..plan import Plan
from .yamlsrc import Positions, load, read_limited

MAGIC = "# drillsim MSEL"
# key, English header, Chinese header, Inject field it fills
COLUMNS = [
    ("id", "id", "编号", None),
    ("time", "time", "时间(分钟)", "at"),
    ("clock", "clock", "时钟", None),
    ("phase", "phase", "阶段", "phase"),
    ("incident", "incident", "事件", "incident"),
    ("from", "from", "发送方", "source"),
    ("to", "to", "接收方", "to"),
    ("channel", "channel", "渠道", "channel"),
    ("message", "message", "消息", "text"),
    ("message_en", "message_en", "消息(英文)", "text_en"),
    ("expected action", "expected action", "预期行动", "expect"),
    ("objective", "objective", "目标", "objective"),
    ("condition", "condition", "触发条件", "when"),
    ("unless", "unless", "取消条件", "unless_by"),
    ("set", "set", "属性变化", "set"),
    ("down", "down", "服务中断", "down"),
    # what MSEL templates carry for the exercise control staff
    ("controller", "responsible controller", "负责控制员", "controller"),
    ("notes", "notes", "备注", "notes"),
    ("delivered", "actual delivery time", "实际送达时间", "delivered"),
]
KEYS = [c[0] for c in COLUMNS]
FIELD_COLUMN = {c[3]: c[0] for c in COLUMNS if c[3]}
ALIASES = {}
for _key, _en, _zh, _field in COLUMNS:
    for _name in (_key, _en, _zh, _field or _key, _key.replace(" ", "_")):
        ALIASES[_name.strip().lower()] = _key
ALIASES.update(
    {
        "source": "from",
        "text": "message",
        "text_en": "message_en",
        "expect": "expected action",
        "when": "condition",
        "unless_by": "unless",
        "at": "time",
        "时间": "time",
        "发送": "from",
        "接收": "to",
        "预期": "expected action",
    }
)
REQUIRED = ("id", "to", "message")
XLSX_EPOCH = (1980, 1, 1, 0, 0, 0)
FIXED_STAMP = "2000-01-01T00:00:00Z"


# --- values in cells ----------------------------------------------------------------------------


def fmt_num(x) -> str:
    if x is None:
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def fmt_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return fmt_num(v)
    s = str(v)
    try:
        same = yaml.safe_load(s) == s and not re.search(r"[;=\s]", s)
    except yaml.YAMLError:
        same = False
    return s if same else json.dumps(s, ensure_ascii=False)


def clock_of(start: str, minutes) -> str:
    if minutes is None:
        return ""
    h, m = map(int, start.split(":"))
    total = int(round(h * 60 + m + float(minutes)))
    day = total // 1440
    return f"{total // 60 % 24:02d}:{total % 60:02d}" + (f"+{day}d" if day else "")


def minutes_of(start: str, clock: str) -> float | None:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*(?:\+(\d+)d)?\s*", clock)
    if not m:
        return None
    h0, m0 = map(int, start.split(":"))
    total = int(m.group(1)) * 60 + int(m.group(2)) + 1440 * int(m.group(3) or 0)
    if not m.group(3) and total < h0 * 60 + m0:
        total += 1440  # past midnight
    return float(total - (h0 * 60 + m0))


# --- export -------------------------------------------------------------------------------------


def msel_table(scenario: Scenario, lang: str = "en") -> tuple[list[str], list[str], list[list]]:
    """(metadata row, header, rows) of a scenario's injects; rows hold str, or a number for time."""
    meta = [MAGIC, f"scenario={scenario.id}", f"start_clock={scenario.start_clock}"]
    header = [c[2] if lang == "zh" else c[1] for c in COLUMNS]
    rows = []
    for jid, inj in scenario.injects.items():
        at = (
            None
            if inj.at is None
            else (int(inj.at) if float(inj.at).is_integer() else float(inj.at))
        )
        rows.append(
            [
                jid,
                at,
                clock_of(scenario.start_clock, inj.at),
                inj.phase,
                inj.incident or "",
                inj.source,
                "; ".join(inj.to),
                inj.channel or "",
                inj.text,
                inj.text_en,
                inj.expect,
                inj.objective,
                inj.when or "",
                inj.unless_by or "",
                "; ".join(f"{k}={fmt_value(v)}" for k, v in inj.set.items()),
                "; ".join(inj.down),
                inj.controller,
                inj.notes,
                inj.delivered,
            ]
        )
    return meta, header, rows


def _csv_bytes(meta, header, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(meta)
    w.writerow(header)
    for r in rows:
        w.writerow(
            ["" if c is None else fmt_num(c) if isinstance(c, (int, float)) else c for c in r]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _xlsx_bytes(meta, header, rows, title: str) -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError:  # pragma: no cover - openpyxl is the `xlsx` extra
        raise InputError(
            [Problem("<xlsx>", 1, 1, "writing .xlsx needs openpyxl (pip install 'drillsim[xlsx]')")]
        )
    wb = Workbook()
    ws = wb.active
    ws.title = "MSEL"
    ws.append(meta)
    ws.append(header)
    for r in rows:
        ws.append([None if c in ("", None) else c for c in r])
    ws["A1"].font = Font(italic=True, color="666666")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F2")
    widths = {
        "id": 16,
        "time": 8,
        "clock": 8,
        "phase": 14,
        "incident": 10,
        "from": 22,
        "to": 22,
        "channel": 10,
        "message": 60,
        "message_en": 60,
        "expected action": 40,
        "objective": 12,
        "condition": 24,
        "unless": 24,
        "set": 24,
        "down": 14,
        "controller": 14,
        "notes": 30,
        "delivered": 12,
    }
    for i, key in enumerate(KEYS, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths[key]
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B3"
    # printed for the control staff: landscape A4, as wide as the page, header rows on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    wb.properties.title = title
    wb.properties.creator = "drillsim"
    raw = io.BytesIO()
    wb.save(raw)
    return _deterministic_zip(raw.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook gives the same bytes: fixed timestamps in the archive and docProps/core.xml."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + FIXED_STAMP.encode() + m.group(3),
                    body,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=XLSX_EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def export_msel(plan: Plan, path: str | Path | None = None, lang: str = "en") -> bytes:
    """Write the MSEL of `plan`'s scenario to `path` (.csv or .xlsx); return the bytes (CSV when no path)."""
    meta, header, rows = msel_table(plan.scenario, lang)
    suffix = Path(path).suffix.lower() if path else ".csv"
    if suffix == ".xlsx":
        data = _xlsx_bytes(meta, header, rows, plan.scenario.title)
    elif suffix == ".csv":
        data = _csv_bytes(meta, header, rows)
    else:
        raise InputError([Problem(str(path), 1, 1, "an MSEL file is .csv or .xlsx")])
    if path:
        Path(path).write_bytes(data)
    return data


# --- reading a spreadsheet --------------------------------------------------------------------------


def _cell_text(v) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return fmt_num(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%H:%M")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    return str(v)


MAX_ROWS, MAX_COLUMNS = 10_000, 100  # an MSEL has tens of rows and 16 columns


def read_sheet(path: str | Path) -> list[list[str]]:
    """All rows of the file as text cells (row 1 first)."""
    path = Path(path)
    raw = read_limited(path, "MSEL file")  # a regular file within the size limit
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        try:
            from openpyxl import load_workbook
        except ImportError:  # pragma: no cover
            raise InputError(
                [
                    Problem(
                        str(path),
                        1,
                        1,
                        "reading .xlsx needs openpyxl (pip install 'drillsim[xlsx]')",
                    )
                ]
            )
        try:
            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # a damaged or non-xlsx file
            raise InputError(
                [Problem(str(path), 1, 1, f"cannot read the workbook: {exc}")]
            ) from None
        ws = wb["MSEL"] if "MSEL" in wb.sheetnames else wb.worksheets[0]
        rows: list[list[str]] = []
        for row in ws.iter_rows(values_only=True):  # a small file may still unzip to a huge sheet
            if len(rows) >= MAX_ROWS:
                wb.close()
                raise InputError(
                    [Problem(str(path), MAX_ROWS + 1, 1, f"more than {MAX_ROWS:,} rows")]
                )
            rows.append([_cell_text(v) for v in row[:MAX_COLUMNS]])
        wb.close()
        return rows
    if suffix == ".csv":
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                [Problem(str(path), 1, 1, "the CSV is not UTF-8 (save it as “CSV UTF-8”)")]
            ) from None
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    raise InputError([Problem(str(path), 1, 1, "an MSEL file is .csv or .xlsx")])


# --- import -------------------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,;,\n]", text) if p.strip()]


def _parse_set(text: str) -> dict:
    out = {}
    for part in _split_set(text):
        if "=" not in part:
            raise ValueError(f"{part!r}: write attribute=value, separated by ';'")
        key, _, raw = part.partition("=")
        key = key.strip()
        raw = raw.strip()
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        if not isinstance(value, (str, int, float, bool)):
            value = raw
        out[key] = value
    return out


def _split_set(text: str) -> list[str]:
    """Split 'a=1; b="x; y"' on ';' outside double quotes."""
    parts, cur, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch in ";;" and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


class _Sheet:
    def __init__(self, path: str, rows: list[list[str]]):
        self.path, self.rows = path, rows
        self.meta: dict[str, str] = {}
        self.header_row = 0
        for i, row in enumerate(rows):
            first = (row[0] if row else "").strip()
            if first.startswith("#"):
                for cell in row:
                    if "=" in cell:
                        k, _, v = cell.partition("=")
                        self.meta[k.strip()] = v.strip()
                continue
            if not any(c.strip() for c in row):
                continue
            self.header_row = i
            break
        else:
            raise InputError([Problem(path, 1, 1, "no header row (id, time, … to, message …)")])

    def problem(self, row_index: int, col_index: int, message: str) -> Problem:
        return Problem(self.path, row_index + 1, col_index + 1, message)


def import_msel(path: str | Path, base: str | None = None, new_id: str | None = None) -> str:
    """The scenario YAML for the spreadsheet at `path`: `base`'s scenario with these injects.

    Raises InputError with FILE:ROW:COL problems; the text it returns loads with `load_plan`.
    """
    path = str(path)
    sheet = _Sheet(path, read_sheet(path))
    base_ref = base or sheet.meta.get("scenario")
    if not base_ref:
        raise InputError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "which scenario is this MSEL for? Row 1 names none; give --base SCENARIO",
                )
            ]
        )
    try:
        base_file = scenario_path(base_ref)
        plan = load_plan(str(base_file))
    except InputError as exc:
        raise InputError(
            [Problem(path, 1, 1, f"base scenario {base_ref!r}: {p.message}") for p in exc.problems]
        ) from None
    sdata, spos = load(base_file)
    sc, proc = plan.scenario, plan.procedure

    # the header
    problems: list[Problem] = []
    hr = sheet.header_row
    header = sheet.rows[hr]
    colmap: dict[str, int] = {}
    for ci, name in enumerate(header):
        if not name.strip():
            continue
        key = ALIASES.get(name.strip().lower())
        if key is None:
            problems.append(
                sheet.problem(hr, ci, f"unknown column {name!r} (columns: {', '.join(KEYS)})")
            )
        elif key in colmap:
            problems.append(sheet.problem(hr, ci, f"column {name!r} appears twice"))
        else:
            colmap[key] = ci
    for key in REQUIRED:
        if key not in colmap:
            problems.append(sheet.problem(hr, 0, f"the header lacks the {key!r} column"))
    if "time" not in colmap and "clock" not in colmap and "condition" not in colmap:
        problems.append(
            sheet.problem(hr, 0, "the header needs a 'time' (or 'clock') or a 'condition' column")
        )
    if problems:
        raise InputError(problems)

    role_ids = _lookup(proc.roles)
    channel_ids = _lookup(proc.channels)
    objective_ids = {o.id for o in sc.objectives}
    injects: dict[str, dict] = {}
    marks: dict[tuple, tuple] = {}
    for ri in range(hr + 1, len(sheet.rows)):
        row = sheet.rows[ri]
        if not any(c.strip() for c in row) or (row and row[0].strip().startswith("#")):
            continue
        get = lambda key: (
            row[colmap[key]].strip() if key in colmap and colmap[key] < len(row) else ""
        )
        raw = lambda key: row[colmap[key]] if key in colmap and colmap[key] < len(row) else ""
        at_col = lambda key: colmap.get(key, 0)
        jid = get("id") or f"inject_{ri + 1}"
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", jid):
            problems.append(
                sheet.problem(
                    ri,
                    at_col("id"),
                    f"id {jid!r}: use letters, digits and _ (not starting with a digit)",
                )
            )
            continue
        if jid in injects:
            problems.append(sheet.problem(ri, at_col("id"), f"id {jid!r} is used twice"))
            continue
        item: dict = {}
        here = lambda field, key: marks.__setitem__(
            ("injects", jid, field), (path, ri + 1, at_col(key) + 1)
        )
        marks[("injects", jid)] = (path, ri + 1, 1)
        marks[("injects", jid, "__key__")] = (path, ri + 1, at_col("id") + 1)
        # timing
        time_text, clock_text = get("time"), get("clock")
        at = None
        if time_text:
            try:
                at = float(time_text.replace(",", "."))
            except ValueError:
                problems.append(
                    sheet.problem(
                        ri, at_col("time"), f"time {time_text!r}: expected minutes from the start"
                    )
                )
                continue
        if clock_text:
            minutes = minutes_of(sc.start_clock, clock_text)
            if minutes is None:
                problems.append(
                    sheet.problem(ri, at_col("clock"), f"clock {clock_text!r}: expected HH:MM")
                )
                continue
            if at is None:
                at = minutes
            elif clock_of(sc.start_clock, at) != clock_text and abs(minutes - at) > 0.5:
                problems.append(
                    sheet.problem(
                        ri,
                        at_col("clock"),
                        f"clock {clock_text} does not match time {fmt_num(at)} "
                        f"({clock_of(sc.start_clock, at)} from the start at {sc.start_clock}); "
                        f"correct or clear one of them",
                    )
                )
                continue
        if at is not None:
            item["at"] = int(at) if at.is_integer() else at
            here("at", "time" if time_text else "clock")
        for key, field in (
            ("condition", "when"),
            ("unless", "unless_by"),
            ("incident", "incident"),
            ("phase", "phase"),
            ("from", "source"),
        ):
            if get(key):
                item[field] = get(key)
                here(field, key)
        if "to" in colmap:
            here("to", "to")
            to = []
            for name in _split(get("to")):
                rid = role_ids.get(name) or role_ids.get(name.lower())
                to.append(rid or name)  # unknown names are reported by the scenario checks below
            item["to"] = to
            for i in range(len(to)):
                marks[("injects", jid, "to", i)] = (path, ri + 1, at_col("to") + 1)
        if get("channel"):
            name = get("channel")
            item["channel"] = channel_ids.get(name) or channel_ids.get(name.lower()) or name
            here("channel", "channel")
        item["text"] = raw("message").strip("\r\n") if raw("message").strip() else ""
        here("text", "message")
        if raw("message_en").strip():
            item["text_en"] = raw("message_en").strip("\r\n")
            here("text_en", "message_en")
        if get("set"):
            try:
                item["set"] = _parse_set(get("set"))
            except ValueError as exc:
                problems.append(sheet.problem(ri, at_col("set"), f"set: {exc}"))
                continue
            here("set", "set")
            for k in item["set"]:
                marks[("injects", jid, "set", k)] = marks[("injects", jid, "set", k, "__key__")] = (
                    path,
                    ri + 1,
                    at_col("set") + 1,
                )
        if get("down"):
            item["down"] = _split(get("down"))
            here("down", "down")
            for i in range(len(item["down"])):
                marks[("injects", jid, "down", i)] = (path, ri + 1, at_col("down") + 1)
        if raw("expected action").strip():
            item["expect"] = raw("expected action").strip("\r\n")
            here("expect", "expected action")
        for key in ("controller", "notes", "delivered"):
            if raw(key).strip():
                item[key] = raw(key).strip("\r\n")
                here(key, key)
        if get("objective"):
            item["objective"] = get("objective")
            here("objective", "objective")
            if objective_ids and item["objective"] not in objective_ids:
                problems.append(
                    sheet.problem(
                        ri,
                        at_col("objective"),
                        f"objective {item['objective']!r} is not an objective "
                        f"of {sc.id} ({', '.join(sorted(objective_ids))})",
                    )
                )
        injects[jid] = {
            k: item[k]
            for k in (
                "at",
                "when",
                "unless_by",
                "incident",
                "phase",
                "source",
                "to",
                "channel",
                "text",
                "text_en",
                "set",
                "down",
                "expect",
                "objective",
                "controller",
                "notes",
                "delivered",
            )
            if k in item
        }
    if not injects and not problems:
        problems.append(
            sheet.problem(
                hr + 1 if hr + 1 < len(sheet.rows) else hr, 0, "no injects: the MSEL has no rows"
            )
        )
    # each inject against the model, then the whole scenario against the plan
    pos = Positions(spos.file, {p: m for p, m in spos.marks.items() if p[:1] != ("injects",)})
    pos.marks.update(marks)
    for jid, item in injects.items():
        sub = Positions(path, {p[2:]: m for p, m in marks.items() if p[:2] == ("injects", jid)})
        _, errs = validate_model(Inject, item, sub)
        for e in errs:
            if (
                e.message.startswith("(top level): ") and "`at`" in e.message
            ):  # timing: point at the time cell
                key = "time" if "time" in colmap else "clock" if "clock" in colmap else "condition"
                e = Problem(
                    e.file, e.line, colmap.get(key, 0) + 1, e.message.removeprefix("(top level): ")
                )
            problems.append(_rename(e, jid))
    if problems:
        raise InputError(problems)
    data = dict(sdata)
    data["injects"] = injects
    if new_id:
        data["id"] = new_id
    _, errs = validate_model(Scenario, data, pos)
    if not errs:
        errs = checks.check_scenario(data, pos, proc)
    if errs:
        raise InputError([_rename(e) for e in errs])
    text = (
        f"# Written by `drillsim msel import` from {Path(path).name} (injects) and {base_ref} (everything else).\n"
        f"# Comments of the base scenario are not carried over.\n"
        + yaml.safe_dump(
            data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
        )
    )
    with (
        tempfile.TemporaryDirectory() as tmp
    ):  # the result must load exactly as a shipped scenario does
        probe = Path(tmp) / f"{data['id']}.yaml"
        probe.write_text(text, encoding="utf-8")
        load_plan(str(probe))
    return text


def _lookup(items: dict) -> dict[str, str]:
    out = {}
    for key, item in items.items():
        out[key] = key
        for name in (getattr(item, "name", ""), getattr(item, "name_en", "")):
            if name:
                out.setdefault(name, key)
                out.setdefault(name.lower(), key)
    return out


def _rename(p: Problem, jid: str | None = None) -> Problem:
    """'injects.alert.to: …' or 'to: …' → 'to (inject alert): …', naming the spreadsheet column."""
    msg = p.message
    m = re.match(r"^(?:injects\.(\w+)\.)?(\w+)(?:\.[\w.]+|\[\d+\])?: (.*)$", msg, re.S)
    if m and (m.group(1) or jid) and m.group(2) in FIELD_COLUMN:
        msg = f"{FIELD_COLUMN[m.group(2)]} (inject {m.group(1) or jid}): {m.group(3)}"
    elif jid and not msg.startswith("injects."):
        msg = f"inject {jid}: {msg}"
    return Problem(p.file, p.line, p.col, msg)
