"""`drillsim trainee`: a trainee's progress over time, and the trainer's export of all records."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .arguments import Helps


def register(sub, lang: str) -> None:

    h = Helps(lang)

    p = sub.add_parser(
        "trainee",
        help=h("cmd_trainee"),
        description=h("desc_trainee"),
        epilog=h("epilog_trainee"),
    )
    p.add_argument("name", nargs="?", metavar="NAME", help=h("trainee_name"))
    p.add_argument("--json", action="store_true", help=h("trainee_json"))
    p.add_argument(
        "--export",
        metavar="FILE",
        help=h("trainee_export"),
    )
    p.add_argument("--force", action="store_true", help=h("force"))
    p.set_defaults(func=cmd_trainee)


def _catalog() -> tuple[list[dict], dict[str, str]]:
    """The shipped scenarios with the clause prefixes of their procedures ("000"), and titles."""
    from drillsim.simulator.loader import load_procedure, shipped_scenarios

    prefixes: dict[str, set[str]] = {}
    out, titles = [], {}
    for sc in shipped_scenarios():
        clauses: set[str] = set()
        for pid in sc["procedures"]:
            if pid not in prefixes:
                proc, _ = load_procedure(pid)
                prefixes[pid] = {ob.clause.split()[0] for ob in proc.obligations.values()}
            clauses |= prefixes[pid]
        out.append({"id": sc["id"], "clauses": sorted(clauses)})
        titles[sc["id"]] = sc["title"]
    return out, titles


def cmd_trainee(args) -> int:
    from drillsim.scoring import trainee as tr

    lang = args.lang or "en"
    if args.export:
        from drillsim.simulator.outputs import check_output

        path = Path(args.export)
        folder = tr.records_dir()
        kept = sorted(folder.glob("*.json")) if folder.is_dir() else []
        check_output(path, force=args.force, inputs=kept)  # never over a trainee's own record
        records = tr.all_records()
        try:
            n = tr.export(records, path, lang)
        except ValueError as exc:
            print(f"drillsim trainee: {exc}", file=sys.stderr)
            return 2
        from drillsim.words import t

        print(t("tr_exported", lang, n=len(records), rows=n, path=path))
        return 0
    if not args.name:
        print("drillsim trainee: give a NAME, or --export FILE", file=sys.stderr)
        return 2
    problem = tr.check_name(args.name)
    if problem:
        print(f"drillsim trainee: {problem}", file=sys.stderr)
        return 2
    record = tr.load(args.name)
    catalog, titles = _catalog()
    tip = tr.suggest(record, catalog)
    if args.json:
        progress = [
            {"clause": p.clause, "due": p.due, "hit": p.hit, "rates": p.rates, "trend": p.trend}
            for p in tr.progress(record)
        ]
        print(
            json.dumps({**record, "progress": progress, "next": tip}, ensure_ascii=False, indent=1)
        )
        return 0
    if not record["sessions"]:
        from drillsim.words import t

        print(t("tr_none", lang, name=args.name, path=tr.record_path(args.name)))
        print(tr.suggestion_text(tip, lang, titles if lang == "zh" else None))
        return 0
    print(tr.render_text(record, lang, tip, titles if lang == "zh" else None))
    return 0
