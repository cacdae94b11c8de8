"""`drillsim serve` and `drillsim join`: one exercise, several participants, each at a screen."""

from __future__ import annotations

import ipaddress
import secrets
import signal
import sys
from pathlib import Path

from .arguments import Helps

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_WEB_PORT = 8766


def register(sub, lang: str) -> None:
    h = Helps(lang)
    p = sub.add_parser(
        "serve",
        help=h("cmd_serve"),
        description=h("desc_serve"),
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=h("serve_scenario"))
    p.add_argument(
        "--variant", action="append", default=[], metavar="VARIANT", help=h("serve_variant")
    )
    p.add_argument("--seed", type=int, default=None, metavar="N", help=h("serve_seed"))
    p.add_argument(
        "--mode", choices=["exercise", "test", "training"], default=None, help=h("serve_mode")
    )
    p.add_argument("--others", choices=["bot", "wait"], default="bot", help=h("serve_others"))
    p.add_argument("--speed", type=float, default=1.0, metavar="X", help=h("serve_speed"))
    p.add_argument("--host", default=LOOPBACK, help=h("serve_host"))
    p.add_argument("--port", type=int, default=None, help=h("serve_port", port=DEFAULT_PORT))
    p.add_argument("--log", metavar="FILE", help=h("serve_log"))
    p.add_argument("--resume", metavar="LOG", help=h("serve_resume"))
    p.add_argument("--force", action="store_true", help=h("serve_force"))
    p.add_argument(
        "--web",
        action="store_true",
        help=h("serve_web"),
    )
    p.add_argument(
        "--web-port",
        type=int,
        default=DEFAULT_WEB_PORT,
        metavar="P",
        help=h("serve_web_port", port=DEFAULT_WEB_PORT),
    )
    p.add_argument("--live", action="store_true", help=h("serve_live"))
    p.add_argument("--roster", metavar="FILE", help=h("serve_roster"))
    p.add_argument(
        "--evaluator", action="append", default=[], metavar="NAME", help=h("serve_evaluator")
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "web",
        help=h("cmd_web"),
        description=h("desc_web"),
    )
    p.add_argument("url", metavar="URL", help=h("web_url"))
    p.add_argument("--host", default=LOOPBACK, help=h("web_host"))
    p.add_argument(
        "--port", type=int, default=DEFAULT_WEB_PORT, help=h("web_port", port=DEFAULT_WEB_PORT)
    )
    p.set_defaults(func=cmd_web)

    p = sub.add_parser(
        "join",
        help=h("cmd_join"),
        description=h("desc_join"),
    )
    p.add_argument("url", metavar="URL", help=h("join_url"))
    p.add_argument(
        "--token",
        help=h("join_token"),
    )
    p.add_argument("--actions", metavar="FILE", help=h("join_actions"))
    p.add_argument("--run-to", type=float, metavar="T", help=h("join_run_to"))
    p.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="X",
        help=h("join_speed"),
    )
    p.add_argument(
        "--wait-for",
        action="append",
        default=[],
        metavar="ROLE",
        help=h("join_wait_for"),
    )
    p.add_argument("--retry", type=float, default=120.0, metavar="S", help=h("join_retry"))
    p.add_argument("--name", metavar="NAME", help=h("join_name"))
    p.set_defaults(func=cmd_join)


def _taken(log: Path, what: str) -> int | None:
    """Refuse a log, or its join file, that exists: it is another session's, to be continued
    with --resume rather than started over."""
    from drillsim.net.tokens import join_path

    for existing in (log, join_path(log)):
        if existing.exists():
            return _fail(
                f"serve: {existing} exists; choose another --log, or continue that {what} "
                f"with `drillsim serve --resume {log}`"
            )
    return None


def _fail(msg: str) -> int:
    print(f"drillsim: {msg}", file=sys.stderr)
    return 2


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args) -> int:
    import asyncio  # here, not at the top: no other command pays for importing it

    from drillsim.net.room import Room
    from drillsim.net.tokens import join_path, read_join
    from drillsim.simulator.loader import load_plan

    if not 1 <= args.speed <= 60:
        return _fail("serve: --speed must be between 1 and 60")
    if args.live or (args.resume and _is_drill(args.resume)):
        return _serve_drill(args)
    if args.roster or args.evaluator:
        return _fail("serve: --roster and --evaluator are for a live drill (--live)")
    if args.resume:
        if args.scenario or args.variant or args.seed is not None or args.log or args.force:
            return _fail("serve --resume LOG takes the scenario, seed and tokens from the log")
        log = Path(args.resume)
        jpath = join_path(log)
        if not log.is_file() or not jpath.is_file():
            return _fail(f"serve --resume: needs {log} and {jpath}")
        join = read_join(jpath)
        room = Room.resume(log)  # a log another server is writing is refused (its lock)
        port = args.port if args.port is not None else int(join["url"].rsplit(":", 1)[1])
    else:
        if not args.scenario:
            return _fail("serve: name a SCENARIO (or --resume LOG)")
        plan = load_plan(args.scenario, args.variant)
        seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
        from drillsim.tui.exercise import default_log_path

        log = Path(args.log) if args.log else default_log_path(plan.scenario.id, seed)
        jpath = join_path(log)
        if not args.force and (refused := _taken(log, "session")) is not None:
            return refused
        room = Room(
            plan,
            seed=seed,
            mode=args.mode or plan.scenario.mode,
            log_path=log,
            others=args.others,
            speed=args.speed,
            force=args.force,
        )
        join = None
        port = args.port if args.port is not None else DEFAULT_PORT
    _warn_host(args.host)

    web = (args.web_port, args.lang) if args.web else None
    return asyncio.run(_serve(room, join, log, jpath, args.host, port, web))


def _is_drill(log: str) -> bool:
    from drillsim.scoring.drill_record import is_drill_log

    return Path(log).is_file() and is_drill_log(log)


def _serve_drill(args) -> int:
    """`serve SCENARIO --live --roster FILE`, or `serve --resume DRILL_LOG`."""
    import asyncio

    from drillsim.net.drill_room import DrillRoom
    from drillsim.net.tokens import join_path, new_drill_join, read_join
    from drillsim.simulator.drill.roster import load_roster

    from .cmd_drill import default_drill_log, drill_plan

    if args.web:
        return _fail("serve --live: the browser console does not show a drill yet; use join")
    if args.force:
        return _fail("serve --live: a drill log is never overwritten; choose another --log")
    if args.resume:
        if args.scenario or args.roster or args.log or args.evaluator:
            return _fail("serve --resume LOG takes the drill, roster and tokens from the log")
        log = Path(args.resume)
        jpath = join_path(log)
        if not jpath.is_file():
            return _fail(f"serve --resume: needs {jpath}")
        join = read_join(jpath)
        room = DrillRoom.resume(log)
        port = args.port if args.port is not None else int(join["url"].rsplit(":", 1)[1])
    else:
        if not args.scenario:
            return _fail("serve --live: name a drill SCENARIO (or --resume LOG)")
        if not args.roster:
            return _fail("serve --live: --roster FILE is needed (CSV or XLSX)")
        if args.variant or args.seed is not None or args.mode or args.speed != 1.0:
            return _fail("serve --live: a live drill runs on the wall clock, with no seed or mode")
        plan = drill_plan(args.scenario)
        names = list(dict.fromkeys(n.strip() for n in args.evaluator if n.strip()))
        roster = load_roster(args.roster)
        log = Path(args.log or default_drill_log(plan))
        jpath = join_path(log)
        if (refused := _taken(log, "drill")) is not None:
            return refused
        room = DrillRoom(plan, roster, log)
        join = new_drill_join("", names)
        port = args.port if args.port is not None else DEFAULT_PORT
    _warn_host(args.host)
    return asyncio.run(_serve(room, join, log, jpath, args.host, port, None))


def _warn_host(host: str) -> None:
    if not _is_loopback(host):
        print(
            f"drillsim: WARNING: serving on {host}: the exercise is reachable from the "
            "network; anyone with a token or join code can take part",
            file=sys.stderr,
        )


async def _serve(room, join, log, jpath, host, port, web) -> int:
    import asyncio

    from drillsim.net.server import SessionServer, bound_port, start_server
    from drillsim.net.tokens import new_join, secrets_of, write_join

    if join is None:
        join = new_join("", list(room.proc.roles))
    tokens, codes = secrets_of(join)
    server = SessionServer(room, tokens, codes)
    try:
        runner = await start_server(server, host, port)
    except OSError as exc:
        room.close()
        return _fail(f"serve: cannot listen on {host}:{port}: {exc.strerror or exc}")
    shown = host if ":" not in host else f"[{host}]"
    join["url"] = f"http://{shown}:{bound_port(runner)}"
    write_join(jpath, join)
    _print_joins(room, join, log, jpath)
    browser = None
    if web is not None:
        browser = _start_web(join["url"], host, *web)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    if browser is not None:
        browser.terminate()
        browser.wait(10)
    await runner.cleanup()
    if not room.started:  # nothing was played: the next `serve` may take the same --log
        jpath.unlink(missing_ok=True)
        print("drillsim: stopped before the exercise started; nothing was recorded")
        return 0
    print(f"drillsim: stopped; log {log} (continue it: drillsim serve --resume {log})")
    return 0


def _print_joins(room, join: dict, log: Path, jpath: Path) -> None:
    url = join["url"]
    codes = {label: code for code, label in join.get("codes", {}).items()}
    what = "resumed" if room.started else "serving"
    print(f"drillsim: {what} {room.plan.scenario.id} at {url}")
    print(f"  log {log}; tokens in {jpath} (readable by you only)")
    print("  join commands (the join code works in the browser console):")
    rows = [("facilitator", join["facilitator"], ""), ("evaluator", join["evaluator"], "")]
    if join.get("drill"):
        rows[1] = ("evaluator", join["evaluator"], " --name NAME")
        rows += [(f"evaluator:{n}", tok, "") for n, tok in join["evaluators"].items()]
        rows.append(("warden", join["warden"], ""))
    rows += [(role, tok, "") for role, tok in join["roles"].items()]
    from drillsim.scoring.tables import width

    for label, token, more in rows:
        pad = " " * max(1, 25 - width(label))  # a name in Chinese is two columns a character
        print(
            f"    {label}{pad}drillsim join {url} --token {token}{more}   "
            f"code {codes.get(label, '')}"
        )
    sys.stdout.flush()


def _start_web(url: str, host: str, port: int, lang: str):
    """`drillsim web` beside the server, as a child process (textual-serve runs its own loop)."""
    import subprocess

    entry = "import sys; from drillsim.cli import main; sys.exit(main())"
    cmd = [sys.executable, "-c", entry, "web", url, "--host", host, "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--lang", lang], stdout=subprocess.DEVNULL)
    shown = host if ":" not in host else f"[{host}]"
    print(f"  in a browser: http://{shown}:{port}/ (the console asks for the join code)")
    sys.stdout.flush()
    return proc


def cmd_web(args) -> int:
    from drillsim.net.web import serve_web

    _warn_host(args.host)
    serve_web(args.url, args.host, args.port, args.lang)
    return 0


def cmd_join(args) -> int:
    import asyncio

    from drillsim.net.client import JoinError, RunTo, ScriptClient

    if args.token is None and (args.actions or args.run_to is not None):
        return _fail("join: --actions and --run-to need --token")
    if args.actions and args.run_to is not None:
        return _fail("join: --actions (a role) or --run-to (the facilitator), not both")
    if args.speed is not None and not 1 <= args.speed <= 60:
        return _fail("join: --speed must be between 1 and 60")
    try:
        if args.actions:
            client = ScriptClient(args.url, args.token, _actions_loader(args.actions))
            code = asyncio.run(client.run())
            if client.problem:
                return _fail(f"join: {client.problem}")
            return code
        if args.run_to is not None:
            run = RunTo(args.url, args.token, args.run_to, args.speed, args.wait_for)
            code = asyncio.run(run.run())
            if run.problem:
                return _fail(f"join: {run.problem}")
            return code
    except JoinError as exc:
        return _fail(f"join: {exc}")
    except ConnectionError as exc:
        return _fail(f"join: {exc}")
    from drillsim.net.console import run_console

    lang = args.lang
    return run_console(args.url, args.token, lang, name=args.name)


def _actions_loader(path: str):
    def load(welcome: dict) -> list[dict]:
        from drillsim.simulator.errors import InputError
        from drillsim.simulator.loader import load_actions, load_plan

        try:
            plan = load_plan(welcome["scenario"], welcome.get("variants", []))
            actions = load_actions(path, plan)
        except InputError as exc:
            raise ValueError("\n".join(str(p) for p in exc.problems)) from None
        role = welcome["role"]
        others = sorted({a.role for a in actions if a.role != role})
        if others:
            raise ValueError(
                f"{path}: this token is {role}'s; the file also acts as {', '.join(others)}"
            )
        return [a.model_dump(mode="json", exclude_defaults=True) for a in actions]

    return load
