"""Monte Carlo reduces the replications batch by batch (scoring.tally): the same figures whatever
the order the batches come in, little kept per replication, and `--records FILE` for the rest."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from drillsim.cli import main
from drillsim.scoring import montecarlo as mc
from drillsim.scoring.paired import Pairing
from drillsim.scoring.records import COLUMNS
from drillsim.scoring.sketch import Chunks
from drillsim.scoring.stats import quantiles
from drillsim.scoring.tally import Tally, duty_rows
from drillsim.simulator.replications import concat, plan_for, run_batch

CUTS = [(0, 40), (40, 50), (90, 30)]


@pytest.fixture(scope="module")
def batches():
    return [run_batch("payment_outage", (), 9, s, c) for s, c in CUTS]


@pytest.fixture(scope="module")
def variant_batches():
    return [run_batch("payment_outage", ("tested_dr_switch",), 9, s, c) for s, c in CUTS]


def test_batches_in_any_order_give_the_summary_of_all_records_at_once(batches):
    plan = plan_for("payment_outage")
    whole = mc.summarise(plan, concat(batches), 9, [])
    tally = Tally(plan)
    for b in reversed(batches):  # workers finish out of order
        tally.add(b)
    assert json.dumps(mc.summarise(plan, tally, 9, []), sort_keys=True) == json.dumps(
        whole, sort_keys=True
    )
    assert whole["n"] == 120 and whole["obligations"][0]["triggered"] == 120


def test_paired_differences_from_tallies_equal_those_from_records(batches, variant_batches):
    base_plan = plan_for("payment_outage")
    plan = plan_for("payment_outage", ("tested_dr_switch",))
    shifts = mc.deadline_shifts(base_plan, plan)
    base, var = Tally(base_plan, paired=True), Tally(plan, paired=True, shifts=shifts)
    pairing = Pairing([base, var])
    for b, v in zip(reversed(batches), variant_batches):
        pairing.add(0, base.add(b))
        pairing.add(1, var.add(v))
    b_all, v_all = concat(batches), concat(variant_batches)
    for fn in (mc.obligation_differences, mc.service_differences):
        assert fn(base_plan, base, plan, var) == fn(base_plan, b_all, plan, v_all)
    failover = next(
        d
        for d in mc.obligation_differences(base_plan, base, plan, var)
        if d["id"] == "failover_within_5"
    )
    assert failover["changed"] and failover["replications_lower"] == 0


def test_times_kept_in_float32_move_a_quantile_by_less_than_its_last_digit(batches):
    plan = plan_for("payment_outage")
    records = concat(batches)
    result = mc.summarise(plan, records, 9, [])
    occ = records.duties
    for k, entry in enumerate(result["obligations"]):
        rows = duty_rows(records, k, entry["basis"])
        done, trig = occ["done"][rows], occ["triggered"][rows]
        took = (done - trig)[np.isfinite(done)]
        exact = quantiles(took, (0.5, 0.9, 0.95), never=int((~np.isfinite(done)).sum()))
        for q, key in zip(exact, ("median", "p90", "p95")):
            got = entry["done_min"][key]
            both_none = got is None and q is None
            assert both_none or abs(got - q) <= 6e-4, (entry["id"], key, got, q)


def test_little_is_kept_per_replication(batches):
    plan = plan_for("payment_outage")
    kept = {}
    for paired in (False, True):
        tally = Tally(plan, paired=paired)
        for b in batches:
            tally.add(b)
        kept[paired] = _nbytes(tally.acc) / tally.n
    records = concat(batches)
    full = (
        sum(a.nbytes for a in records.duties.values()) + sum(a.nbytes for a in records.svc.values())
    ) / records.count
    # payment_outage: about 22 counted occurrences a replication, 4 bytes of time each; a
    # paired tally keeps no more (compare's pairs are running sums: scoring/paired.py)
    assert kept[False] < min(200, full / 5), (kept, full)
    assert kept[True] == kept[False], kept


def test_what_is_kept_does_not_grow_with_the_number_of_batches(batches):
    """Each batch is folded into one running part: cut into 12 batches or 3, the same figures
    and the same bytes kept, and no array per batch."""
    plan = plan_for("payment_outage")
    records = concat(batches)
    small = [run_batch("payment_outage", (), 9, s, 10) for s in range(0, 120, 10)]
    few, many = Tally(plan), Tally(plan)
    for b in batches:
        few.add(b)
    for b in reversed(small):  # the last first: all wait until the first has come
        many.add(b)
        assert many.count == (120 if b.start == 0 else 0)
    assert json.dumps(mc.summarise(plan, many, 9, []), sort_keys=True) == json.dumps(
        mc.summarise(plan, records, 9, []), sort_keys=True
    )
    assert _nbytes(many.acc) == _nbytes(few.acc)
    assert not many.waiting
    pieces = [len(c.pieces) for d in many.acc.duties for c in d.values() if isinstance(c, Chunks)]
    assert max(pieces) <= 12 and len(pieces) == 3 * len(many.obligations)


def test_a_batch_never_come_is_an_error_not_a_shorter_summary(batches):
    plan = plan_for("payment_outage")
    tally = Tally(plan)
    tally.add(batches[0])
    tally.add(batches[2])  # batches[1] never came
    assert tally.n == 70
    with pytest.raises(ValueError, match="do not join"):
        mc.summarise(plan, tally, 9, [])


def _nbytes(obj) -> int:
    if isinstance(obj, Chunks):
        return obj.nbytes
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(_nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(v) for v in obj)
    if hasattr(obj, "__dict__"):
        return sum(_nbytes(v) for v in vars(obj).values())
    return 0


def test_records_file_holds_every_replication(tmp_path, capsys):
    path = tmp_path / "recs.csv"
    code = main(
        [
            "montecarlo",
            "payment_outage",
            "-n",
            "12",
            "--seed",
            "9",
            "--workers",
            "1",
            "--quiet",
            "--json",
            "--records",
            str(path),
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, for spreadsheets reading the Chinese ids
    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == COLUMNS
    records = run_batch("payment_outage", (), 9, 0, 12)
    duties = [r for r in table if r["record"] == "duty"]
    assert len(duties) == records.duties["rep"].size
    assert sum(r["record"] == "replication" for r in table) == 12
    assert sum(r["record"] == "service" for r in table) == records.svc["rep"].size
    # the first duty of replication 0 as the record has it
    first = duties[0]
    assert (
        first["rep"] == "0" and first["id"] == records.layout.obligations[records.duties["ob"][0]]
    )
    assert float(first["deadline_at"]) == records.duties["deadline"][0]
    # on-time counts in the file agree with the summary
    hits = sum(
        r["id"] == "report_l1_ops" and r["n"] == "1" and r["status"] == "hit" for r in duties
    )
    ops = next(o for o in result["obligations"] if o["id"] == "report_l1_ops")
    assert hits == round(ops["p_hit"] * ops["occurrences"])


def test_records_as_json_lines_and_parquet(tmp_path):
    jl, pq_path = tmp_path / "r.jsonl", tmp_path / "r.parquet"
    for path in (jl, pq_path):
        mc.compare("payment_outage", ["tested_dr_switch"], 6, 2, workers=1, records=str(path))
    rows = [json.loads(line) for line in jl.read_text(encoding="utf-8").splitlines()]
    assert {r["plan"] for r in rows} == {"base", "tested_dr_switch"}
    assert all(set(r) <= set(COLUMNS) for r in rows)
    import pyarrow.parquet as pq

    table = pq.read_table(pq_path).to_pylist()
    assert table == [{c: r.get(c) for c in COLUMNS} for r in rows]


def test_a_records_file_of_unknown_format_is_refused_before_running(tmp_path, capsys):
    code = main(["montecarlo", "payment_outage", "-n", "3", "--records", str(tmp_path / "r.txt")])
    assert code == 2
    err = capsys.readouterr().err
    assert "r.txt" in err and ".csv, .jsonl, .parquet" in err and "Traceback" not in err


def test_level_counts_are_numpys_unique_counts_without_importing_numpy_ma():
    import subprocess
    import sys

    from drillsim.scoring.tally import _counts

    rng = np.random.default_rng(3)
    for values in (
        np.zeros((0, 2), np.int8),
        rng.integers(-3, 6, (500, 3)).astype(np.int8),
        np.array([[-128, 127, 0]], np.int8),
    ):
        levels, counts = np.unique(values.ravel(), return_counts=True)
        assert _counts(values) == dict(zip(levels.tolist(), counts.tolist()))
    # a batch reduced in a fresh process (as in a pool worker) imports no numpy.ma (41 M
    # instructions); the critical path's sums are left out here: not this module's to answer for
    code = (
        "import sys, numpy as np\n"
        "from drillsim.scoring.tally import _counts\n"
        "from drillsim.scoring.sketch import ExactSum\n"
        "_counts(np.arange(9, dtype=np.int8)); ExactSum().add(np.linspace(0.1, 9, 50))\n"
        "print('numpy.ma' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_part_pickled_back_from_a_worker_is_the_same_part():
    import pickle

    from drillsim.scoring.tally import Reduction
    from drillsim.simulator.replications import fast_task

    batch = fast_task("chemical_leak_drill", (), 1, 0, 2000)  # most of its duties never fall due
    part = Reduction((("chemical_leak_drill", (), True, ()),))(0, batch)
    back = pickle.loads(pickle.dumps(part))
    assert not part.trials.any(axis=1).all()  # some rows left out, made again as zeros
    for mine, theirs in ((part.hits, back.hits), (part.trials, back.trials)):
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    assert back.declared == part.declared and back.critical.keys() == part.critical.keys()
    unpaired = Reduction((("chemical_leak_drill", (), False, ()),))(0, batch)
    back = pickle.loads(pickle.dumps(unpaired))
    assert back.hits is None and back.trials is None and back.events == unpaired.events
