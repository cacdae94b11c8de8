"""Every replication's records, written to a file as the batches finish (`--records FILE`).

Monte Carlo keeps only a tally in memory (scoring.tally); whoever wants the records themselves
gets them here, one row per duty occurrence, per service that went down and per replication and
incident, in one table (columns COLUMNS; a row's `record` says which kind it is, the columns of
the other kinds are empty). The format follows the file's suffix:

- `.csv`: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right);
- `.jsonl`: one JSON object per row;
- `.parquet`: Apache Parquet, one row group per batch (needs pyarrow).

Rows come batch by batch in the order the batches finish (by replication with `--workers 1`);
`rep` says which replication a row belongs to.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from drillsim.simulator.plan import Plan
from drillsim.simulator.replications import STATUS, Batch

COLUMNS = [
    "plan",
    "record",
    "rep",
    "id",
    "incident",
    "n",
    "triggered_at",
    "deadline_at",
    "done_at",
    "met_at",
    "status",
    "by_deputy",
    "down_at",
    "restored_at",
    "downtime_min",
    "rto_met",
    "declared_level",
    "true_level",
    "end_min",
    "events",
]
SUFFIXES = (".csv", ".jsonl", ".parquet")
_INTS = {"rep", "n", "by_deputy", "rto_met", "declared_level", "true_level", "events"}
_FLOATS = {
    "triggered_at",
    "deadline_at",
    "done_at",
    "met_at",
    "down_at",
    "restored_at",
    "downtime_min",
    "end_min",
}


def check_path(path: str) -> None:
    """A clear message before any replication runs when the file cannot be written."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"--records {path}: the file name must end in {', '.join(SUFFIXES)} (the format)"
        )
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ValueError(
                f"--records {path}: Parquet needs pyarrow (pip install pyarrow); "
                "or write .csv or .jsonl"
            ) from None
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise ValueError(f"--records {path}: no such folder {parent}")


def rows(name: str, batch: Batch) -> list[dict]:
    """One batch's records as rows of COLUMNS (None where a column does not apply)."""
    layout = batch.layout
    num = lambda x: None if not math.isfinite(x) else float(x)
    out = []
    occ, svc = batch.duties, batch.svc
    for k in range(occ["rep"].size):
        out.append(
            {
                "plan": name,
                "record": "duty",
                "rep": int(occ["rep"][k]),
                "id": layout.obligations[occ["ob"][k]],
                "incident": layout.incidents[occ["inc"][k]],
                "n": int(occ["n"][k]),
                "triggered_at": num(occ["triggered"][k]),
                "deadline_at": num(occ["deadline"][k]),
                "done_at": num(occ["done"][k]),
                "met_at": num(occ["met"][k]),
                "status": STATUS[occ["status"][k]],
                "by_deputy": int(occ["deputy"][k]),
            }
        )
    for k in range(svc["rep"].size):
        met = int(svc["rto_met"][k])
        out.append(
            {
                "plan": name,
                "record": "service",
                "rep": int(svc["rep"][k]),
                "id": layout.services[svc["svc"][k]],
                "down_at": num(svc["down"][k]),
                "restored_at": num(svc["restored"][k]),
                "downtime_min": num(svc["downtime"][k]),
                "rto_met": None if met < 0 else met,
            }
        )
    for r in range(batch.count):
        for c, inc in enumerate(layout.incidents):
            out.append(
                {
                    "plan": name,
                    "record": "replication",
                    "rep": batch.start + r,
                    "incident": inc,
                    "declared_level": int(batch.declared[r, c]),
                    "true_level": int(batch.true_level[r, c]),
                    "end_min": num(batch.end[r]),
                    "events": int(batch.events[r]),
                }
            )
    return out


class RecordsWriter:
    """Writes the batches of one or more plans (named: "" for a lone plan, "base" and the
    variants' ids for a comparison) to one file."""

    def __init__(self, path: str | None, names: list[str]):
        self.path, self.names, self.count = path, names, 0
        self._fh = self._csv = self._parquet = None
        if path is None:
            return
        suffix = Path(path).suffix.lower()
        if suffix == ".csv":
            self._fh = open(path, "w", encoding="utf-8-sig", newline="")
            self._csv = csv.DictWriter(self._fh, COLUMNS)
            self._csv.writeheader()
        elif suffix == ".jsonl":
            self._fh = open(path, "w", encoding="utf-8")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            types = {c: pa.string() for c in COLUMNS}
            types.update({c: pa.int64() for c in _INTS})
            types.update({c: pa.float64() for c in _FLOATS})
            self._schema = pa.schema([(c, types[c]) for c in COLUMNS])
            self._parquet = pq.ParquetWriter(path, self._schema)

    @classmethod
    def open(cls, path: str | None, plans: list[tuple[str, Plan]]) -> RecordsWriter:
        if path is not None:
            check_path(path)
        return cls(path, [name for name, _ in plans])

    def write(self, job: int, batch: Batch) -> None:
        if self.path is None:
            return
        table = rows(self.names[job], batch)
        self.count += len(table)
        if self._csv is not None:
            self._csv.writerows(table)
        elif self._parquet is not None:
            import pyarrow as pa

            self._parquet.write_table(
                pa.Table.from_pylist(
                    [{c: row.get(c) for c in COLUMNS} for row in table], self._schema
                )
            )
        elif self._fh is not None:
            self._fh.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in table))

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._fh is not None:
            self._fh.close()

    def __enter__(self) -> RecordsWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
