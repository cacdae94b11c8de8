"""The MSEL as exercise control staff use it: responsible controller, notes and actual delivery
time columns that survive import and export exactly, and a workbook that prints landscape, as
wide as the page, with the header rows on every page."""

from __future__ import annotations

import csv
import io

from drillsim.simulator.formats.msel import export_msel, import_msel
from drillsim.simulator.loader import load_plan

CONTROL = {
    "responsible controller": "控制员 王工",
    "notes": "若值班主管未接电话,\n改用短信重发",
    "actual delivery time": "09:31",
}


def _filled_csv(tmp_path) -> tuple[str, list[list[str]]]:
    """payment_outage's MSEL with the control columns of the first inject filled in by hand."""
    raw = export_msel(load_plan("payment_outage"), tmp_path / "blank.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    header = rows[1]
    for name, value in CONTROL.items():
        assert rows[2][header.index(name)] == ""  # empty until someone fills it in
        rows[2][header.index(name)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "filled.csv"
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    return str(path), rows


def test_control_columns_round_trip_exactly(tmp_path):
    path, rows = _filled_csv(tmp_path)
    scenario = tmp_path / "with_control.yaml"
    scenario.write_text(import_msel(path), encoding="utf-8")
    plan = load_plan(str(scenario))
    first = next(iter(plan.scenario.injects.values()))
    assert (first.controller, first.notes, first.delivered) == tuple(CONTROL.values())
    again = export_msel(plan, tmp_path / "again.csv")
    assert again == (tmp_path / "filled.csv").read_bytes()
    xlsx = tmp_path / "with_control.xlsx"
    export_msel(plan, xlsx)
    back = tmp_path / "back.yaml"
    back.write_text(import_msel(xlsx), encoding="utf-8")
    assert load_plan(str(back)).scenario.injects == plan.scenario.injects


def test_xlsx_prints_landscape_fit_to_width_with_header_rows(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "m.xlsx"
    export_msel(load_plan("payment_outage"), path, "zh")
    ws = load_workbook(path)["MSEL"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert str(ws.print_title_rows).replace("$", "") == "1:2"
    header = [c.value for c in ws[2]]
    assert header[-3:] == ["负责控制员", "备注", "实际送达时间"]
