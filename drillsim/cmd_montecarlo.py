"""`drillsim montecarlo` and `drillsim compare`: many replications, statistics, plan variants."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from drillsim.words import t

from .arguments import EXIT_INPUT, Helps, scenario_arg


class Progress:
    """A progress bar on stderr while a TTY watches; a one-line summary at the end in any case."""

    def __init__(
        self,
        label: str,
        stream=None,
        enabled: bool | None = None,
        quiet: bool = False,
        lang: str = "en",
    ):
        self.label, self.stream, self.quiet, self.lang = label, stream or sys.stderr, quiet, lang
        self.live = (not quiet) and (self.stream.isatty() if enabled is None else enabled)
        self.t0 = time.perf_counter()
        self._last = 0.0

    def __call__(self, done: int, total: int):
        if not self.live:
            return
        now = time.perf_counter()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        elapsed = now - self.t0
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        width = 30
        fill = int(width * done / total) if total else width
        self.stream.write(
            f"\r{self.label} [{'#' * fill}{'.' * (width - fill)}] {done}/{total} "
            f"{rate:,.0f}/s eta {eta:,.0f}s "
        )
        self.stream.flush()

    def finish(self, info):
        if self.live:
            self.stream.write("\r\033[K")
        if not self.quiet:
            rate = info.replications / info.seconds if info.seconds > 0 else 0.0
            place = "local_one" if info.where == "local" and info.workers == 2 else info.where
            place = "fast_local" if place == "fast" and info.workers > 1 else place
            where = t(
                "mc_where_" + place,
                self.lang,
                pool=info.workers - 1,
                workers=info.workers,
                address=info.extra.get("address", ""),
            )
            line = t(
                "mc_finished",
                self.lang,
                label=self.label,
                n=info.replications,
                seconds=f"{info.seconds:.1f}",
                rate=f"{rate:,.0f}",
                batches=info.batches,
                where=where,
            )
            self.stream.write(line + "\n")
        self.stream.flush()


def _add_common(p, h) -> None:
    p.add_argument(
        "-n",
        "--replications",
        dest="n",
        type=int,
        default=1000,
        metavar="N",
        help=h("mc_replications"),
    )
    p.add_argument(
        "--seed",
        type=int,
        default=1,
        metavar="S",
        help=h("mc_seed"),
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="W",
        help=h("mc_workers"),
    )
    p.add_argument(
        "--batch",
        type=int,
        default=None,
        metavar="B",
        help=h("mc_batch"),
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help=h("mc_dask"),
    )
    p.add_argument(
        "--logs",
        metavar="DIR",
        help=h("mc_logs"),
    )
    p.add_argument(
        "--records",
        metavar="FILE",
        help=h("mc_records"),
    )
    p.add_argument("--quiet", action="store_true", help=h("mc_quiet"))
    path = p.add_mutually_exclusive_group()
    path.add_argument("--fast", action="store_true", help=h("mc_fast"))
    path.add_argument("--engine", action="store_true", help=h("mc_engine"))
    p.add_argument("--force", action="store_true", help=h("mc_force"))
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help=h("mc_json"))
    out.add_argument(
        "--csv",
        metavar="FILE",
        help=h("mc_csv"),
    )


def register(sub, lang: str) -> None:
    """Add this module's subcommands to the `drillsim` parser."""
    h = Helps(lang)

    p = sub.add_parser(
        "montecarlo",
        help=h("cmd_montecarlo"),
        description=h("desc_montecarlo"),
        epilog=h("epilog_montecarlo"),
    )
    scenario_arg(p, h)
    _add_common(p, h)
    p.set_defaults(func=cmd_montecarlo)

    p = sub.add_parser(
        "compare",
        help=h("cmd_compare"),
        description=h("desc_compare"),
        epilog=h("epilog_compare"),
    )
    p.add_argument("scenario", metavar="SCENARIO", help=h("compare_scenario"))
    p.add_argument(
        "variants",
        nargs="+",
        metavar="VARIANT",
        help=h("compare_variants"),
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="VARIANT",
        dest="base_variants",
        help=h("compare_variant"),
    )
    p.add_argument("--roster", metavar="FILE", help=h("compare_roster"))
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--site", dest="comparison", action="store_const", const="site", help=h("compare_site")
    )
    which.add_argument(
        "--duties",
        dest="comparison",
        action="store_const",
        const="duties",
        help=h("compare_duties"),
    )
    _add_common(p, h)
    p.set_defaults(func=cmd_compare)


def _check(args, what: str) -> str | None:
    if args.n < 1 or (what == "compare" and args.n < 2):
        return f"-n must be at least {2 if what == 'compare' else 1}"
    if args.seed < 0:
        return "--seed must be a non-negative integer"
    if args.workers is not None and args.workers < 1:
        return "--workers must be at least 1"
    if args.batch is not None and args.batch < 1:
        return "--batch must be at least 1"
    if args.dask and args.workers is not None:
        return "--workers is for local processes; with --dask the cluster's workers run the batches"
    if args.fast and args.logs:
        return "--logs needs the engine (the fast path writes no event logs); drop --fast"
    return None


def _run(args, what: str) -> int:
    from drillsim.scoring import montecarlo as mc
    from drillsim.simulator.fastpath import Refused
    from drillsim.simulator.outputs import check_output
    from drillsim.simulator.replications import ClusterError, RunInfo

    problem = _check(args, what)
    if problem:
        print(f"drillsim {what}: {problem}", file=sys.stderr)
        return EXIT_INPUT
    # the plan's files given as paths (shipped ids are not files to protect)
    given = [args.scenario, *(getattr(args, "variant", None) or ())]
    given += [*getattr(args, "variants", ()), *(getattr(args, "base_variants", None) or ())]
    inputs = [p for p in given if Path(p).is_file()]
    for out in (args.csv, args.records):  # refused before the replications run, not after
        if out:
            check_output(out, force=args.force, inputs=inputs)
    if args.logs and Path(args.logs).is_dir() and any(Path(args.logs).iterdir()) and not args.force:
        print(
            f"drillsim {what}: --logs {args.logs} holds files already; choose an empty folder "
            "or add --force to overwrite its logs",
            file=sys.stderr,
        )
        return EXIT_INPUT
    info = RunInfo()
    progress = Progress(what, quiet=args.quiet, lang=args.lang)
    kwargs = dict(
        workers=args.workers,
        batch=args.batch,
        dask=args.dask,
        progress=progress,
        log_dir=args.logs,
        info=info,
        records=args.records,
        fast=True if args.fast else False if args.engine else None,
    )
    try:
        if what == "montecarlo":
            result = mc.montecarlo(args.scenario, args.n, args.seed, args.variant, **kwargs)
        else:
            result = mc.compare(
                args.scenario,
                args.variants,
                args.n,
                args.seed,
                base_variants=args.base_variants,
                **kwargs,
            )
    except ClusterError as exc:
        if progress.live:
            sys.stderr.write("\n")
        print(f"drillsim {what}: {exc}", file=sys.stderr)
        return 1
    except Refused as exc:  # --fast for a plan the fast path cannot model: why, in the language
        print(f"drillsim {what}: {exc.text(args.lang)}", file=sys.stderr)
        return EXIT_INPUT
    except ValueError as exc:
        if type(exc) is not ValueError:
            raise
        print(f"drillsim {what}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    progress.finish(info)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(mc.render(result, args.lang))
    if args.csv:
        rows = mc.write_csv(result, args.csv)
        print(t("cli_csv", args.lang, path=args.csv, rows=rows))
    return 0


def cmd_montecarlo(args) -> int:
    return _run(args, "montecarlo")


def cmd_compare(args) -> int:
    which = _comparison(args)
    if which == "site":
        return _compare_evacuation(args)
    if which == "duties":
        return _run(args, "compare")
    return EXIT_INPUT


def _comparison(args) -> str | None:
    """Which comparison the line asks for: "site" (the evacuation model), "duties" (the Monte
    Carlo of the procedure) or None (refused, said why on stderr).

    --site or --duties says it outright. Without either, only a live drill's scenario with a
    site has a choice, made by what the named variants change: the site only (the evacuation
    model), or no part of the site (the Monte Carlo, said on stderr, as the other is the one
    documented for drills); a mix, or a variant that changes both, is refused rather than
    guessed, as either comparison would show nothing for some of them."""
    from drillsim.scoring.site_variants import has_site, what_changes

    if args.comparison == "duties":
        return "duties"
    if not has_site(args.scenario):
        if args.comparison == "site":
            print(t("compare_no_site", args.lang, scenario=args.scenario), file=sys.stderr)
            return None
        return "duties"
    if args.comparison == "site":
        return "site"
    changes = {v: what_changes(args.scenario, v) for v in args.variants}
    site = [v for v, (s, _) in changes.items() if s]
    duties = [v for v, (_, d) in changes.items() if d]
    if site and not duties:
        return "site"
    if not site:
        if not args.quiet:
            print(t("compare_chose_duties", args.lang, scenario=args.scenario), file=sys.stderr)
        return "duties"
    print(
        t(
            "compare_choose",
            args.lang,
            scenario=args.scenario,
            site=", ".join(site),
            duties=", ".join(duties),
        ),
        file=sys.stderr,
    )
    return None


def _compare_evacuation(args) -> int:
    """A live drill's scenario: its variants change the site, not the duties, so the comparison
    is the evacuation model's (as `drillsim predict --variant`), on the same draws."""
    from drillsim.scoring.evacuation_compare import evacuation_comparison, public, render
    from drillsim.simulator.drill.roster import load_roster

    unused = [
        flag
        for flag, value in (
            ("--csv", args.csv),
            ("--logs", args.logs),
            ("--records", args.records),
            ("--dask", args.dask),
            ("--variant", args.base_variants),
        )
        if value
    ]
    if unused:
        print(
            f"drillsim compare: {', '.join(unused)}: not for a drill's evacuation comparison "
            "(see docs/DRILL.md)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    if args.n < 2 or args.seed < 0:
        print("drillsim compare: -n must be at least 2 and --seed non-negative", file=sys.stderr)
        return EXIT_INPUT
    roster = load_roster(args.roster) if args.roster else None
    result = evacuation_comparison(args.scenario, args.variants, roster, n=args.n, seed=args.seed)
    if args.json:
        print(json.dumps(public(result), ensure_ascii=False, indent=2))
        return 0
    print(t("evac_compare_note", args.lang))
    print(render(result, args.lang), end="")
    return 0
