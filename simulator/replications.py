"""Replications: many seeded runs of one plan with bots in every role, in batches.

`run_batch(scenario, variants, entropy, start, count)` is the unit of work sent to a local
process worker or to a Dask worker. It is a module-level function of plain arguments, so it
pickles by name; it loads the plan once per process (cached), runs replications
`start … start+count-1` and returns a compact `Batch` of per-replication records (per duty
occurrence: status and times; per service: downtime; final levels), not logs.

Replication i is always seeded with `SeedSequence(entropy, spawn_key=(i,))`, which is exactly
child i of `SeedSequence(entropy).spawn(N)`: the results do not depend on how the
replications are cut into batches or spread over workers.

`run_replications(jobs, …)` runs the batches of one or more plans (the base and its variants
for a comparison) in-process, on local worker processes, or on a Dask distributed cluster,
and returns the records of each plan in replication order.

Replications run without the full trace (world.OUTCOME: only the events the record reads are
built; the agenda is fed the contents of the others without an event). The records come from the
run's own `Agenda` — the code the scoring runs over a saved log, fed the same events — so a
replication's record agrees with
`drillsim run --seed … --json` for that seed (tests check both). This package imports no
scoring and no UI.
"""

from __future__ import annotations

import gc
import math
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .agenda import Agenda, status
from .freed_memory import keep_freed_memory
from .loader import load_plan
from .plan import Plan
from .rng import Block
from .seeds import Seed

STATUS = ("hit", "late", "missed", "open")  # codes 0..3 of an occurrence
CODE = {s: i for i, s in enumerate(STATUS)}
DEFAULT_BATCH = 250  # replications per task on a cluster (100+)

_DUTY_FIELDS = ("rep", "ob", "inc", "n", "triggered", "deadline", "done", "met", "status", "deputy")
_SVC_FIELDS = ("rep", "svc", "down", "restored", "downtime", "rto_met")
_RTO_CODE = {True: 1, False: 0, None: -1}  # rto_met as a code


def seed_for(entropy: int, i: int) -> Seed:
    """The seed of replication i: child i of SeedSequence(entropy).spawn(…), however batched."""
    return Seed(int(entropy), (int(i),))


# --- one process's plans ---------------------------------------------------------------------

_PLANS: dict[tuple, tuple[Plan, tuple]] = {}
_PLANS_LOCK = threading.Lock()


def _stamps(files: list[str]) -> tuple:
    out: list[tuple[str, int | None, int | None]] = []
    for f in files:
        try:
            st = os.stat(f)
            out.append((f, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((f, None, None))
    return tuple(out)


def plan_for(scenario: str, variants: tuple[str, ...] = ()) -> Plan:
    """The plan, loaded once per process (and shared by the threads of a Dask worker); loaded
    again when one of its files has changed since (a long-lived worker sees edited variants)."""
    key = (scenario, tuple(variants))
    cached = _PLANS.get(key)
    if cached is not None and _stamps(cached[0].files) == cached[1]:
        return cached[0]
    with _PLANS_LOCK:
        cached = _PLANS.get(key)
        if cached is None or _stamps(cached[0].files) != cached[1]:
            plan = load_plan(scenario, list(variants))
            cached = _PLANS[key] = (plan, _stamps(plan.files))
    return cached[0]


# --- records ---------------------------------------------------------------------------------


@dataclass
class Layout:
    """Names behind the integer codes of a batch (the plan's own order)."""

    obligations: list[str]
    services: list[str]
    incidents: list[str]

    @classmethod
    def of(cls, plan: Plan) -> Layout:
        return cls(
            list(plan.procedure.obligations),
            list(plan.procedure.services),
            list(plan.scenario.incidents),
        )


@dataclass
class Batch:
    """Per-replication records of replications start … start+count-1, column by column.

    duties:  one row per duty (an obligation's occurrence) that fell due: rep, ob (index into layout.obligations),
             inc, n (occurrence number), triggered, deadline, done (NaN: never), met (when the
             agenda marked it met: the last delivery for a report; NaN: never), status (STATUS
             code), deputy (1 when someone other than the role itself met it)
    svc:     one row per service that went down: rep, svc, down, restored (NaN: never),
             downtime (to the end when not restored), rto_met (1 met, 0 not, -1 undecided)
    declared / true_level: final declared and final true level, shape (count, incidents);
             declared 0 when no level was ever declared
    end:     end of each replication (simulated minutes); events: events per replication
    logs:    the event lists, only when asked for
    """

    start: int
    count: int
    layout: Layout
    duties: dict[str, np.ndarray]
    svc: dict[str, np.ndarray]
    declared: np.ndarray
    true_level: np.ndarray
    end: np.ndarray
    events: np.ndarray
    logs: list | None = None

    @property
    def stop(self) -> int:
        return self.start + self.count


def record(
    plan: Plan,
    agenda: Agenda,
    events: list[dict],
    rep: int,
    duty_rows: list[tuple],
    svc: list[tuple],
    layout_index: tuple[dict, dict, dict],
    roles: dict[str, str] | None = None,
) -> tuple[list[int], list[int], float]:
    """Append one replication's rows (from its agenda, fed its events as they happened, and the
    event log) to the row lists: a tuple of _DUTY_FIELDS per occurrence, of _SVC_FIELDS per service.
    `roles`: roles_of(plan), when the caller has it already (once per batch)."""
    ob_index, svc_index, inc_index = layout_index
    declared = [0] * len(inc_index)
    true_level = [0] * len(inc_index)
    down_at: dict[str, float] = {}
    restored_at: dict[str, float] = {}
    end = events[-1]["t"] if events else 0.0
    read = _READ.get
    for ev in events:  # most events (due, delivered, task) are none of these: one look-up each
        what = read(ev["type"])
        if what is None:
            continue
        if what == 0:
            true_level[inc_index[ev["incident"]]] = ev["level"]
        elif what == 1:
            declared[inc_index[ev["incident"]]] = ev["level"]
        elif what == 2:
            down_at.setdefault(ev["service"], ev["t"])
        elif what == 3:
            if ev["service"] in down_at:
                restored_at.setdefault(ev["service"], ev["t"])
        else:
            end = ev["t"]
    roles = roles_of(plan) if roles is None else roles
    nan = math.nan
    append = duty_rows.append
    for duties in agenda.duties.values():
        for o in duties:
            done, met, by = o.done_at, o.met_at, o.acted_by
            append(
                (
                    rep,
                    ob_index[o.obligation],
                    inc_index[o.incident],
                    o.n,
                    o.triggered_at,
                    o.deadline_at,
                    nan if done is None else done,
                    nan if met is None else met,
                    CODE[status(done, o.deadline_at, end)],
                    0 if by is None or by == roles[o.obligation] else 1,
                )
            )
    services = plan.procedure.services
    for sid, down in down_at.items():
        restored = restored_at.get(sid)
        downtime = (restored if restored is not None else end) - down
        met = _RTO_CODE[services[sid].rto_met(downtime, restored is not None)]
        svc.append(
            (rep, svc_index[sid], down, nan if restored is None else restored, downtime, met)
        )
    return declared, true_level, end


# what record() reads of the log: the true and declared levels, services down and up, the end
_READ = {"level": 0, "grade": 1, "classify": 1, "service.down": 2, "service.restored": 3, "end": 4}


def roles_of(plan: Plan) -> dict[str, str]:
    """Each obligation's role (a duty met by anyone else was met by a deputy)."""
    return {oid: ob.role for oid, ob in plan.procedure.obligations.items()}


_DTYPES = {
    "rep": np.int32,
    "ob": np.int16,
    "inc": np.int16,
    "n": np.int16,
    "status": np.int8,
    "deputy": np.int8,
    "svc": np.int16,
    "rto_met": np.int8,
}


def _columns(rows: list[tuple], fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    columns = list(zip(*rows)) if rows else [()] * len(fields)
    return {k: np.asarray(col, dtype=_DTYPES.get(k, np.float64)) for k, col in zip(fields, columns)}


# Per plan, the keys its last batch in this process drew (computed at once for the next batch:
# rng.Block). A plan draws a bounded set of keys (payment_outage about 200); the cap guards
# against one that keys by something unbounded. Blocks only for batches of _BLOCK_MIN or more
# (a numpy pass over the block costs about what a dozen single draws cost).
_KEYS: dict[tuple, list[tuple]] = {}
_KEYS_CAP = 4096
_BLOCK_MIN = 8


_GC_LOCK = threading.Lock()
_GC_HOLDERS = 0  # batches running in this process (Dask runs several in threads)
_GC_WAS_ON = False


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while a batch runs. A replication leaves no
    reference cycle behind (`World.close` unlinks them; tests/test_replications.py checks it), so
    reference counting frees each one, and the collector's passes over the young objects, made
    every 700 allocations, found nothing while costing about 0.18 M CPU instructions a
    replication of payment_outage. Process-wide, so counted: on again when the last batch ends
    (and only if it was on before the first began)."""
    global _GC_HOLDERS, _GC_WAS_ON
    with _GC_LOCK:
        if _GC_HOLDERS == 0:
            _GC_WAS_ON = gc.isenabled()
            gc.disable()
        _GC_HOLDERS += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_HOLDERS -= 1
            if _GC_HOLDERS == 0 and _GC_WAS_ON:
                gc.enable()


def run_batch(
    scenario: str,
    variants: tuple[str, ...] | list[str],
    entropy: int,
    start: int,
    count: int,
    log_dir: str | None = None,
    keep_events: bool = False,
) -> Batch:
    """Run replications start … start+count-1 of the plan with bots in every role.

    Module-level and of plain arguments, so it pickles to process and Dask workers. The plan is
    loaded once per process. `log_dir`: also write each replication's event log there as
    `rep-<i>.jsonl`; `keep_events`: return the event lists too (both off by default).
    """
    # the engine (SimPy, the world) imported by the batches that play it, not by a command whose
    # batches all go to the fast path: 130 M instructions of its start (docs/PERFORMANCE.md)
    from .runner import players_for, run_plan

    plan = plan_for(scenario, tuple(variants))
    layout = Layout.of(plan)
    index = (
        {o: i for i, o in enumerate(layout.obligations)},
        {s: i for i, s in enumerate(layout.services)},
        {c: i for i, c in enumerate(layout.incidents)},
    )
    roles = roles_of(plan)
    players = players_for(plan, [])  # bots in every role
    duty_rows: list[tuple] = []
    svc: list[tuple] = []
    declared, true_level, ends, counts = [], [], [], []
    logs: list[list[dict]] | None = [] if keep_events else None
    if log_dir:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
    # the batch's draws in a block (rng.Block): the keys this plan's last batch drew at once
    plan_key = (scenario, tuple(variants))
    block = Block(entropy, start, count, _KEYS.get(plan_key, ())) if count >= _BLOCK_MIN else None
    with _collector_paused():
        for i in range(start, start + count):
            log_path = Path(log_dir) / f"rep-{i:06d}.jsonl" if log_dir else None
            world = run_plan(  # the command checked the folder; a rerun into it overwrites
                plan,
                seed=block.seed(i) if block is not None else seed_for(entropy, i),
                log_path=log_path,
                trace=bool(log_path or keep_events),
                force=True,
                players=players,
            ).world
            d, t, end = record(plan, world.agenda, world.events, i, duty_rows, svc, index, roles)
            declared.append(d)
            true_level.append(t)
            ends.append(end)
            counts.append(world.n_events)
            if logs is not None:
                logs.append(world.events)
            world.close()
    if block is not None and len(block.columns) + len(block.pending) <= _KEYS_CAP:
        _KEYS[plan_key] = [*block.columns, *block.pending]
    n_inc = len(layout.incidents)
    return Batch(
        start,
        count,
        layout,
        _columns(duty_rows, _DUTY_FIELDS),
        _columns(svc, _SVC_FIELDS),
        np.asarray(declared, dtype=np.int8).reshape(count, n_inc),
        np.asarray(true_level, dtype=np.int8).reshape(count, n_inc),
        np.asarray(ends, dtype=np.float64),
        np.asarray(counts, dtype=np.int32),
        logs,
    )


def concat(batches: list[Batch]) -> Batch:
    """Batches of one plan, in replication order, as one."""
    batches = sorted(batches, key=lambda b: b.start)
    for a, b in zip(batches, batches[1:]):
        if a.stop != b.start:
            raise ValueError(f"batches do not join: {a.start}..{a.stop} then {b.start}")
    first = batches[0]
    cat = lambda arrays: np.concatenate(arrays) if arrays else np.zeros(0)
    logs = None
    if all(b.logs is not None for b in batches):
        logs = [ev for b in batches for ev in b.logs or ()]
    return Batch(
        first.start,
        sum(b.count for b in batches),
        first.layout,
        {k: cat([b.duties[k] for b in batches]) for k in first.duties},
        {k: cat([b.svc[k] for b in batches]) for k in first.svc},
        np.concatenate([b.declared for b in batches]),
        np.concatenate([b.true_level for b in batches]),
        cat([b.end for b in batches]),
        cat([b.events for b in batches]),
        logs,
    )


# --- running many batches ------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """N replications of one plan: a scenario with its variants, seeded by `entropy`."""

    scenario: str
    variants: tuple[str, ...] = ()
    n: int = 1000
    entropy: int = 1


@dataclass
class RunInfo:
    """How a run was spread (for messages; never part of the results)."""

    batches: int = 0
    workers: int = 1
    where: str = "process"  # process | local (+ workers - 1 pool processes) | fast | dask
    replications: int = 0
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def batches_of(n: int, size: int) -> list[tuple[int, int]]:
    """(start, count) of each batch: size each, the last one shorter."""
    return [(s, min(size, n - s)) for s in range(0, n, size)]


def default_batch(total: int, workers: int | None) -> int:
    """Replications per task: about 16 tasks per local worker (so that the last ones finish
    together), between 100 and 500; DEFAULT_BATCH on a cluster of unknown size."""
    if workers is None:
        return DEFAULT_BATCH
    return max(100, min(500, math.ceil(total / (16 * workers))))


def default_workers(n_batches: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_batches))


def _pool_context():
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    # A fork starts a worker at once with the plan already loaded, but is safe only while this
    # process has a single thread (a forked child inherits other threads' held locks: Dask, the
    # TUI …); then the fork server, which imports the engine once and forks every worker from it.
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])  # no effect once the fork server runs
        return ctx
    return mp.get_context("spawn")


def run_replications(
    jobs: list[Job],
    *,
    workers: int | None = None,
    batch: int | None = None,
    dask: str | object | None = None,
    progress: Callable[[int, int], None] | None = None,
    log_dir: str | None = None,
    info: RunInfo | None = None,
    consume: Callable[[int, Any], None] | None = None,
    fast: bool | None = None,
    reduce: Callable[[int, Batch], Any] | None = None,
) -> list[Batch]:
    """Run every job's replications; return one Batch per job, in replication order.

    fast: None (default) computes the replications on the vectorised fast path (fastpath.py)
    when it models every job's plan exactly, and on the engine otherwise; True requires the fast
    path (ValueError with the reasons when it cannot model a plan); False always uses the
    engine. Writing every replication's log (`log_dir`) needs the engine.

    consume(job index, batch): called in this process with each batch as it finishes (in any
    order) instead of keeping it; the result is then an empty list. Memory then stays flat
    however many replications run: what a caller keeps of a batch is up to it.
    reduce(job index, batch): with consume, applied to each batch where it was computed (in a
    worker process, so that only what it returns travels back and the reduction is spread over
    the workers too), consume then gets what it returns (anything with the batch's `count`).
    It must pickle (a module-level function or a picklable object).

    workers: processes working, this one included (default: one per core, at most one per
    batch; 1: this process alone). dask: a scheduler address or a `distributed.Client`: the batches go to that
    cluster instead. batch: replications per task (default: about 16 tasks per local worker,
    100-500 each; 250 on a Dask cluster). progress(done, total) is
    called in this process as batches finish. The results are the same whichever way they ran.
    """
    import time

    keep_freed_memory()
    total = sum(job.n for job in jobs)
    models = None
    if fast is not False and not log_dir:
        models = _fast_models(jobs, required=bool(fast))
    if workers is not None and int(workers) < 1:
        raise ValueError("workers must be at least 1")
    size = (
        FAST_CHUNK
        if models is not None
        else int(batch)
        if batch
        else default_batch(
            total, int(workers) if workers else (None if dask is not None else os.cpu_count() or 1)
        )
    )
    if size < 1:
        raise ValueError("batch size must be at least 1")
    # (job index, scenario, variants, entropy, start, count, log dir), the plans' batches of the
    # same replications next to each other: a comparison pairs them as soon as all have come
    tasks: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for j, job in enumerate(jobs):
        sub = None
        if log_dir and len(jobs) == 1:
            sub = str(log_dir)
        elif log_dir:  # one folder per plan: base, or the variants' file names
            name = "+".join(Path(v).stem for v in job.variants) or "base"
            name = name if name not in seen else f"{name}-{j}"
            seen.add(name)
            sub = str(Path(log_dir) / name)
        tasks += [
            (j, job.scenario, tuple(job.variants), job.entropy, s, c, sub)
            for s, c in batches_of(job.n, size)
        ]
    tasks.sort(key=lambda task: (task[4], task[0]))
    info = info if info is not None else RunInfo()
    info.batches, info.replications = len(tasks), total
    results: dict[int, list[Batch]] = {j: [] for j in range(len(jobs))}
    done = 0
    t0 = time.perf_counter()
    if progress:
        progress(0, total)

    reduce = reduce if consume is not None else None

    def finished(j: int, b: Any, reduced: bool = False):
        nonlocal done
        if consume is not None:
            consume(j, b if reduced or reduce is None else reduce(j, b))
        else:
            results[j].append(b)
        done += b.count
        if progress:
            progress(done, total)

    n_workers = int(workers) if workers else default_workers(len(tasks))
    n_workers = min(n_workers, max(1, len(tasks)))
    if models is not None:
        # as the engine's: this process and a pool, each batch reduced where it was computed
        info.workers = n_workers
        if n_workers == 1:
            for j, *_, start, count, _sub in tasks:
                finished(j, fast_batch(models[j], jobs[j].entropy, start, count))
        else:
            fast_tasks = [task[:6] for task in tasks]  # fast_task's arguments: no log folder
            local = [models[task[0]] for task in tasks]
            _run_local(fast_tasks, n_workers, finished, info, fast_task, reduce, local)
        info.where = "fast"
    elif dask is not None:
        _run_dask(tasks, dask, finished, info)
    else:
        info.workers = n_workers
        if n_workers == 1:
            info.where = "process"
            for j, *args in tasks:
                finished(j, run_batch(*args))
        else:
            _run_local(tasks, n_workers, finished, info, run_batch, reduce)
    info.seconds = time.perf_counter() - t0
    if consume is not None:
        return []
    return [concat(results[j]) for j in range(len(jobs))]


FAST_CHUNK = 25_000  # replications per array batch on the fast path (memory ~ 50 MB)


def _fast_models(jobs: list[Job], required: bool) -> list | None:
    """Each job's plan as the fast path models it, or None when one of them it cannot (with
    `required`: fastpath.Refused, a ValueError naming the plan and the reasons)."""
    from .fastpath import NotModelled, Refused, check

    models = []
    for job in jobs:
        try:
            model = check(plan_for(job.scenario, job.variants))
        except NotModelled as exc:
            if required:
                name = "+".join([Path(job.scenario).stem, *(Path(v).stem for v in job.variants)])
                raise Refused(name, exc) from None
            return None
        models.append(model)
    for model in models:  # a forked pool worker finds them made (fast_task), not checked again
        _MODELS[id(model.plan)] = model
    return models


_MODELS: dict[int, Any] = {}  # a process's fast-path models, by the id of their plan


def fast_task(scenario: str, variants: tuple[str, ...], entropy: int, start: int, count: int):
    """fast_batch for a pool worker: the plan's model made once per process."""
    from .fastpath import check

    plan = plan_for(scenario, tuple(variants))
    model = _MODELS.get(id(plan))
    if model is None or model.plan is not plan:
        model = _MODELS[id(plan)] = check(plan)
    return fast_batch(model, entropy, start, count)


def fast_batch(model, entropy: int, start: int, count: int) -> Batch:
    """Replications start … start+count-1 computed by the fast path, as a Batch."""
    from .fastpath import compute

    layout = Layout.of(model.plan)
    fb = compute(model, entropy, start, count)
    return Batch(
        start,
        count,
        layout,
        fb.rows,
        fb.svc,
        fb.declared,
        fb.true_level,
        np.full(count, float(model.plan.scenario.duration_min)),
        fb.events.astype(np.int32),
    )


def bound_to_parent(parent: int) -> None:
    """Pool worker initializer: the worker ends with the command that started it, however that
    ends. A kill -9 of the command gives the pool no chance to stop its workers, so on Linux the
    kernel is asked to kill the worker when its parent dies (PR_SET_PDEATHSIG), and everywhere a
    thread checks every second that the command is still there (with the fork server, the
    worker's parent is the server, not the command)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    keep_freed_memory()  # a forked worker has it already; a spawned one not
    if not _alive(parent):  # it died before the request was in place
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent, os.getppid()), name="watch-parent", daemon=True
    ).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(parent: int, ppid: int) -> None:
    import time

    # a killed parent that nobody has reaped yet still answers kill(0): being handed to
    # another parent says it is gone
    while _alive(parent) and os.getppid() == ppid:
        time.sleep(1.0)
    os._exit(1)


def _run_local(
    tasks: list, n_workers: int, finished, info: RunInfo, work=run_batch, reduce=None, local=None
):
    """This process works as one of the workers, the others are a process pool: no worker sits
    idle while the pool starts. work(*task's arguments) computes a batch (run_batch,
    fast_task), in a pool worker followed by reduce(j, batch) when given. local: per task, the
    arguments this process computes it from instead (the fast path's model it has already).

    No task is handed to a worker in advance: every process claims the next one from a shared
    counter when it is ready for it (the pool's queued calls are claims, _claimed), so the
    tail is at most one batch long whoever is slower (this process also folds and pairs what
    comes back), and the batches are still taken in order: what waits for its predecessors
    (scoring.tally folds in order) stays a few batches."""
    info.where = "local"
    ctx = _pool_context()
    counter = ctx.Value("q", 0)  # the next task not yet claimed
    pending: set = set()
    with ProcessPoolExecutor(
        max_workers=n_workers - 1,
        mp_context=ctx,
        initializer=_pool_worker,
        initargs=(os.getpid(), counter, tasks, work, reduce),
    ) as pool:

        def top_up():  # a few claims queued per pool worker, so none waits for this process
            while counter.value < len(tasks) and len(pending) < 3 * (n_workers - 1):
                pending.add(pool.submit(_claimed))

        def collect(timeout):
            ready, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            for fut in ready:
                pending.discard(fut)
                got = fut.result()
                if got is not None:  # None: the tasks had all been claimed
                    finished(*got, True)

        try:
            top_up()
            while (i := _claim(counter)) < len(tasks):
                j, *args = tasks[i]
                if local is not None:  # args: scenario, variants, entropy, start, count
                    finished(j, fast_batch(local[i], *args[2:]))
                else:
                    finished(j, run_batch(*args))
                collect(0)
                top_up()
            while pending:
                collect(None)
        except BaseException:
            with counter.get_lock():  # the queued claims find nothing left
                counter.value = len(tasks)
            for fut in pending:
                fut.cancel()
            raise


# a pool worker's run (_pool_worker): the shared counter, the tasks, how to compute and reduce
_RUN: tuple | None = None


def _pool_worker(parent: int, counter, tasks: list, work, reduce) -> None:
    """Pool worker initializer: bound to the command (bound_to_parent), and the run's tasks."""
    global _RUN
    bound_to_parent(parent)
    _RUN = (counter, tasks, work, reduce)


def _claim(counter) -> int:
    """The next task's number, taken from the shared counter (this process or a pool worker)."""
    with counter.get_lock():
        i = counter.value
        counter.value = i + 1
    return i


def _claimed():
    """A pool worker's call: claim the next task and return (job index, its batch reduced when
    asked), or None when every task has been claimed."""
    assert _RUN is not None
    counter, tasks, work, reduce = _RUN
    i = _claim(counter)
    if i >= len(tasks):
        return None
    j, *args = tasks[i]
    batch = work(*args)
    return j, batch if reduce is None else reduce(j, batch)


class ClusterError(RuntimeError):
    """The Dask cluster could not be reached or used (a sentence for the user)."""


def _run_dask(tasks: list, dask, finished, info: RunInfo):
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ClusterError(
            "--dask needs the `distributed` package (pip install 'drillsim[dist]')"
        ) from None
    own = not hasattr(dask, "submit")
    if own:
        try:
            client = Client(
                dask, timeout=os.environ.get("DRILLSIM_DASK_TIMEOUT", "10s"), set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {dask}: {exc}") from None
    else:
        client = dask
    try:
        n = len(client.scheduler_info().get("workers", {}))
        info.workers, info.where = n, "dask"
        info.extra["address"] = client.scheduler.address
        futures = {}
        for j, *args in tasks:
            # pure=False: a key of our own per batch, so nothing is shared with an earlier run
            fut = client.submit(run_batch, *args, pure=False)
            futures[fut] = j
        for fut in as_completed(list(futures), loop=client.loop):
            finished(futures[fut], fut.result())
    finally:
        if own:
            client.close()
