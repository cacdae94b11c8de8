"""MSEL spreadsheets: export → import → export is identical, and spreadsheet mistakes name FILE:ROW:COL."""

from __future__ import annotations

import csv
import io

import pytest

from drillsim.cli import main
from drillsim.simulator.errors import InputError
from drillsim.simulator.formats.msel import COLUMNS, export_msel, import_msel, read_sheet
from drillsim.simulator.loader import load_plan
from drillsim.simulator.records import replace

SCENARIOS = ["payment_outage", "service_desk_shift"]


def round_trip(tmp_path, scenario: str, suffix: str, lang: str = "en"):
    first = tmp_path / f"first{suffix}"
    a = export_msel(load_plan(scenario), first, lang)
    scenario_file = tmp_path / "imported.yaml"
    scenario_file.write_text(import_msel(first), encoding="utf-8")
    b = export_msel(load_plan(str(scenario_file)), tmp_path / f"second{suffix}", lang)
    return a, b, scenario_file


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_import_export_is_identical(tmp_path, scenario, suffix):
    a, b, scenario_file = round_trip(tmp_path, scenario, suffix)
    assert (
        a == b
        and (tmp_path / f"first{suffix}").read_bytes()
        == (tmp_path / f"second{suffix}").read_bytes()
    )
    original, imported = load_plan(scenario).scenario, load_plan(str(scenario_file)).scenario
    assert imported.injects == original.injects  # nothing lost
    assert replace(imported, injects={}) == replace(original, injects={})


def test_chinese_headers_round_trip_too(tmp_path):
    a, b, _ = round_trip(tmp_path, "payment_outage", ".xlsx", "zh")
    assert a == b
    assert read_sheet(tmp_path / "first.xlsx")[1][:3] == ["编号", "时间(分钟)", "时钟"]


def test_csv_is_utf8_with_bom_and_a_header_row(tmp_path):
    path = tmp_path / "m.csv"
    export_msel(load_plan("payment_outage"), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == ["# drillsim MSEL", "scenario=payment_outage"]
    assert rows[1] == [c[1] for c in COLUMNS]
    alert = dict(zip(rows[1], rows[2]))
    assert alert["id"] == "alert" and alert["time"] == "0" and alert["clock"] == "09:30"
    assert (
        alert["to"] == "duty_supervisor"
        and alert["channel"] == "phone"
        and alert["objective"] == "detect"
    )
    assert alert["message"].startswith("监控告警")
    by_id = {r[0]: dict(zip(rows[1], r)) for r in rows[2:]}
    assert (
        by_id["ops_chases"]["unless"] == "done('report_l1_ops')"
        and by_id["ops_chases"]["time"] == "95"
    )
    assert (
        by_id["dr_question"]["condition"] == "done('activate_l1_plan')"
        and by_id["dr_question"]["time"] == ""
    )
    assert by_id["customer_surge"]["set"] == "customers_affected=5200; complaints_day=120"
    assert by_id["customer_surge"]["to"] == "duty_supervisor; customer_service"


def edited(tmp_path, change, scenario="payment_outage"):
    """The exported CSV of `scenario` with `change(rows)` applied; returns its path."""
    path = tmp_path / "m.csv"
    export_msel(load_plan(scenario), path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    change(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


def problems_of(path, **kw) -> list[str]:
    with pytest.raises(InputError) as exc:
        import_msel(path, **kw)
    return [str(p) for p in exc.value.problems]


def col(name):
    return [c[1] for c in COLUMNS].index(name)


@pytest.mark.parametrize(
    "row, column, value, message",
    [
        (3, "to", "duty_supervisr", "to (inject alert): unknown role 'duty_supervisr'"),
        (4, "time", "soon", "time 'soon': expected minutes from the start"),
        (4, "clock", "10:10", "clock 10:10 does not match time 25 (09:55"),
        (5, "channel", "pigeon", "channel (inject forty_minutes): unknown channel 'pigeon'"),
        (6, "set", "customers_affected", "set: 'customers_affected': write attribute=value"),
        (6, "set", "customers=5200", "set (inject customer_surge): unknown attribute 'customers'"),
        (7, "objective", "speed", "objective 'speed' is not an objective of payment_outage"),
        (
            8,
            "condition",
            "done('nothing')",
            "condition (inject dr_question): done(): unknown obligation 'nothing'",
        ),
        (
            8,
            "time",
            "20",
            "give exactly one of `at` (timed or contingency) and `when` (conditional)",
        ),
        (3, "message", "", ""),  # an empty message is allowed (text is required but may be empty)
        (9, "id", "alert", "id 'alert' is used twice"),
        (9, "id", "9lives", "id '9lives': use letters"),
        (3, "down", "core", "down (inject alert): unknown service 'core'"),
    ],
)
def test_spreadsheet_mistakes_are_file_row_col(tmp_path, row, column, value, message):
    def change(rows):
        rows[row - 1][col(column)] = value

    path = edited(tmp_path, change)
    if not message:
        import_msel(path)
        return
    found = problems_of(path)
    assert any(p.startswith(f"{path}:{row}:{col(column) + 1}: ") and message in p for p in found), (
        found
    )


def test_header_mistakes(tmp_path):
    def change(rows):
        rows[1][col("phase")] = "stage"

    path = edited(tmp_path, change)
    assert any(
        p.startswith(f"{path}:2:{col('phase') + 1}: unknown column 'stage'")
        for p in problems_of(path)
    )

    def drop_to(rows):
        for r in rows[1:]:
            del r[col("to")]

    path = edited(tmp_path, drop_to)
    assert any(
        p.startswith(f"{path}:2:1: the header lacks the 'to' column") for p in problems_of(path)
    )


def test_the_base_scenario(tmp_path):
    def no_meta(rows):
        del rows[0]

    path = edited(tmp_path, no_meta)
    assert problems_of(path) == [
        f"{path}:1:1: which scenario is this MSEL for? Row 1 names none; give --base SCENARIO"
    ]
    text = import_msel(path, base="payment_outage", new_id="payment_outage_v2")
    out = tmp_path / "v2.yaml"
    out.write_text(text, encoding="utf-8")
    plan = load_plan(str(out))
    assert (
        plan.scenario.id == "payment_outage_v2"
        and plan.scenario.outages == load_plan("payment_outage").scenario.outages
    )


def test_planner_friendly_input(tmp_path):
    """Role and channel names instead of ids, a clock instead of minutes, a new row without an id."""

    def change(rows):
        rows[2][col("to")] = "值班主管、客服专员".replace("、", ";")
        rows[2][col("channel")] = "电话"
        rows[3][col("time")] = ""
        rows[3][col("clock")] = "10:05"
        new = [""] * len(rows[1])
        new[col("clock")], new[col("to")], new[col("message")] = (
            "11:40",
            "Legal dept",
            "法务部询问对外口径进展",
        )
        rows.append(new)

    path = edited(tmp_path, change)
    out = tmp_path / "s.yaml"
    out.write_text(import_msel(path), encoding="utf-8")
    injects = load_plan(str(out)).scenario.injects
    assert (
        injects["alert"].to == ["duty_supervisor", "customer_service"]
        and injects["alert"].channel == "phone"
    )
    assert injects["complaints"].at == 35
    new_id = f"inject_{len(injects) + 2}"
    assert injects[new_id].at == 130 and injects[new_id].to == ["legal_dept"]


def test_cli_msel(tmp_path, capsys):
    xlsx, yaml_out = tmp_path / "msel.xlsx", tmp_path / "scenario.yaml"
    assert main(["msel", "export", "service_desk_shift", "-o", str(xlsx)]) == 0
    assert main(["msel", "import", str(xlsx), "-o", str(yaml_out)]) == 0
    assert (
        load_plan(str(yaml_out)).scenario.injects
        == load_plan("service_desk_shift").scenario.injects
    )
    capsys.readouterr()
    assert main(["msel", "export", "payment_outage"]) == 0
    assert capsys.readouterr().out.startswith("# drillsim MSEL,scenario=payment_outage")
    bad = edited(tmp_path, lambda rows: rows[2].__setitem__(col("to"), "nobody"))
    assert main(["msel", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert (
        f"{bad}:3:{col('to') + 1}: to (inject alert): unknown role 'nobody'" in err
        and "Traceback" not in err
    )
    assert main(["msel", "import", str(tmp_path / "missing.xlsx")]) == 2
