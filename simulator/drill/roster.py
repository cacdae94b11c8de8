"""The drill's roster: who works on the site, in which department and area, who is a warden and
who is in today. Read from a CSV (UTF-8, Excel's "CSV UTF-8" included) or an XLSX sheet; every
problem is reported as FILE:ROW:COL with the column it concerns.

Personal data stays in the drill's own files: the roster file and the drill log that copies it
(so that the log alone can be scored and reported, and resumed after a crash).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from drillsim.simulator.errors import InputError, Problem
from drillsim.simulator.formats.msel import read_sheet

# column -> the headers accepted for it (compared case-insensitively, spaces ignored)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "名字"),
    "number": ("employee_number", "工号", "employeenumber", "number", "employee_no", "员工编号"),
    "department": ("department", "部门", "dept"),
    "area": ("area", "区域", "zone", "工作区域"),
    "warden": ("warden", "疏散引导员", "引导员", "安全员"),
    "present": ("present", "今日在岗", "present_today", "presenttoday", "在岗", "出勤"),
}
REQUIRED = ("name", "number", "department", "area")
YES = {"yes", "y", "true", "1", "x", "是", "√", "✓", "在", "在岗"}
NO = {"no", "n", "false", "0", "", "否", "×", "✗", "不在", "缺勤", "休假"}


@dataclass(frozen=True)
class Person:
    number: str
    name: str
    department: str
    area: str
    warden: bool = False
    present: bool = True
    kind: str = "staff"  # staff | visitor | contractor
    company: str = ""  # visitors and contractors: whose they are

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", None) or k == "company"}


@dataclass
class Roster:
    people: list[Person]
    path: str = ""
    sha256: str = ""

    def __post_init__(self):
        self.by_number = {p.number: p for p in self.people}

    @property
    def departments(self) -> list[str]:
        return list(dict.fromkeys(p.department for p in self.people))

    @property
    def areas(self) -> list[str]:
        return list(dict.fromkeys(p.area for p in self.people))

    def find(self, query: str, limit: int = 20) -> list[Person]:
        return find(self.people, query, limit)

    def to_log(self) -> dict:
        """What the drill log keeps of the roster (the log is one of the drill's files)."""
        return {
            "file": self.path,
            "sha256": self.sha256,
            "people": [
                [p.number, p.name, p.department, p.area, p.warden, p.present] for p in self.people
            ],
        }

    @classmethod
    def from_log(cls, data: dict) -> Roster:
        people = [
            Person(str(n), str(name), str(d), str(a), bool(w), bool(pr))
            for n, name, d, a, w, pr in data.get("people", [])
        ]
        return cls(people, data.get("file", ""), data.get("sha256", ""))


def find(people, query: str, limit: int = 20) -> list[Person]:
    """People whose number is `query`, then those whose number or name contains it."""
    q = query.strip().casefold()
    if not q:
        return []
    exact = [p for p in people if p.number.casefold() == q]
    rest = [
        p for p in people if p not in exact and (q in p.number.casefold() or q in p.name.casefold())
    ]
    return (exact + rest)[:limit]


def _norm(header: str) -> str:
    return "".join(header.split()).casefold().replace("-", "_")


def _flag(text: str) -> bool | None:
    t = text.strip().casefold()
    if t in YES:
        return True
    if t in NO:
        return False
    return None


def load_roster(path: str | Path) -> Roster:
    """Read a roster file; raise InputError with FILE:ROW:COL problems."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError([Problem(name, 1, 1, "a roster is a .csv or .xlsx file")])
    rows = read_sheet(path)
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_at is None:
        raise InputError([Problem(name, 1, 1, "the roster is empty (need a header row)")])
    header = rows[header_at]
    lookup = {_norm(alias): col for col, aliases in COLUMNS.items() for alias in aliases}
    where: dict[str, int] = {}
    problems = []
    for j, cell in enumerate(header):
        col = lookup.get(_norm(cell))
        if col is None:
            continue
        if col in where:
            problems.append(Problem(name, header_at + 1, j + 1, f"column {col!r} given twice"))
        where[col] = j
    for col in REQUIRED:
        if col not in where:
            accepted = " / ".join(COLUMNS[col][:2])
            problems.append(Problem(name, header_at + 1, 1, f"missing column {col!r} ({accepted})"))
    if problems:
        raise InputError(problems)

    people: list = []
    seen: dict[str, int] = {}  # number -> the row it was first given on
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        if not any(c.strip() for c in row):
            continue

        def cell(col: str, row=row) -> str:
            j = where.get(col)
            return row[j].strip() if j is not None and j < len(row) else ""

        values = {c: cell(c) for c in COLUMNS}
        bad = False
        for col in REQUIRED:
            if not values[col]:
                problems.append(Problem(name, i + 1, where[col] + 1, f"{col}: empty"))
                bad = True
        flags: dict[str, bool | None] = {}
        for col, default in (("warden", False), ("present", True)):
            if col not in where:
                flags[col] = default
                continue
            raw = values[col]
            value = default if raw == "" else _flag(raw)
            if value is None:
                problems.append(
                    Problem(
                        name, i + 1, where[col] + 1, f"{col}: expected yes/no (是/否), got {raw!r}"
                    )
                )
                bad = True
            flags[col] = value
        number = values["number"]
        if number and number in seen:
            problems.append(
                Problem(
                    name,
                    i + 1,
                    where["number"] + 1,
                    f"number: {number!r} already given on row {seen[number]}",
                )
            )
            bad = True
        if bad:
            continue
        seen[number] = i + 1
        people.append(
            Person(
                number,
                values["name"],
                values["department"],
                values["area"],
                bool(flags["warden"]),
                bool(flags["present"]),
            )
        )
    if problems:
        raise InputError(problems)
    if not people:
        raise InputError([Problem(name, header_at + 2, 1, "the roster has no people")])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Roster(people, str(path), digest)
