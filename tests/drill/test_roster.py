"""The roster: the shipped sample, CSV and XLSX import, and FILE:ROW:COL errors."""

from __future__ import annotations

import pytest

from drillsim.simulator.drill.headcount import headcount_of
from drillsim.simulator.drill.roster import load_roster
from drillsim.simulator.errors import InputError
from tests.drill.kit import ROSTER, roster


def test_sample_roster_has_150_people_in_6_departments_and_4_areas():
    r = roster()
    assert len(r.people) == 150
    assert len(r.departments) == 6
    assert len(r.areas) == 4
    assert len({p.number for p in r.people}) == 150
    assert sum(p.warden for p in r.people) == 16
    assert sum(not p.present for p in r.people) == 8
    assert ROSTER.name == "factory_roster.csv"


def test_find_by_number_first_then_by_name():
    r = roster()
    first = r.people[0]
    assert r.find(first.number)[0] == first
    assert first in r.find(first.name)
    assert r.find("   ") == []


def _problems(path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_roster(path)
    return [str(p) for p in exc.value.problems]


def test_errors_name_file_row_and_column(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text(
        "name,employee_number,department,area,warden,present\n"
        "Ann,E1,Office,D,yes,yes\n"
        "Bob,E1,Office,D,no,yes\n"
        ",E3,Office,D,no,yes\n"
        "Cy,E4,Office,D,maybe,yes\n",
        encoding="utf-8",
    )
    assert _problems(bad) == [
        f"{bad}:3:2: number: 'E1' already given on row 2",
        f"{bad}:4:1: name: empty",
        f"{bad}:5:5: warden: expected yes/no (是/否), got 'maybe'",
    ]


def test_missing_column_and_wrong_suffix(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("姓名,工号,部门\n张三,1,办公室\n", encoding="utf-8")
    assert _problems(bad) == [f"{bad}:1:1: missing column 'area' (area / 区域)"]
    txt = tmp_path / "roster.txt"
    txt.write_text("x", encoding="utf-8")
    assert _problems(txt) == [f"{txt}:1:1: a roster is a .csv or .xlsx file"]


def test_xlsx_roster_reads_like_the_csv(tmp_path):
    import openpyxl  # the xlsx extra, installed by make test

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "姓名", "部门", "区域", "疏散引导员", "今日在岗"])
    for p in roster().people[:10]:
        ws.append([p.number, p.name, p.department, p.area, "是" if p.warden else "否", "否"])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    r = load_roster(path)
    assert [(p.number, p.name, p.warden) for p in r.people] == [
        (p.number, p.name, p.warden) for p in roster().people[:10]
    ]
    assert not any(p.present for p in r.people)


def test_headcount_counts_per_department_and_area_with_a_visitor():
    r = roster()
    present = [p for p in r.people if p.present]
    events = [{"type": "checkin", "t": 5.0, "number": p.number} for p in present[:-1]]
    events.append(
        {"type": "visitor", "t": 6.0, "number": "V1", "name": "Smith", "category": "contractor"}
    )
    hc = headcount_of(r, events)
    assert [p.number for p in hc.missing()] == [present[-1].number, "V1"]
    assert hc.complete_at is None
    dept = {g.name: g for g in hc.groups("department")}
    last = present[-1]
    assert dept[last.department].expected - dept[last.department].accounted == 1
    assert sum(g.expected for g in hc.groups("area")) == len(present) + 1
    assert hc.feed({"type": "checkin", "t": 7.0, "number": last.number}) is False
    assert hc.feed({"type": "checkin", "t": 8.5, "number": "V1"}) is True
    assert hc.complete_at == 8.5
