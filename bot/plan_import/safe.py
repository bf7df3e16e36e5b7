"""Read a programme file from a user in a worker process, with a time and memory budget.

A document can be hostile or merely pathological — a zip bomb, a list numbered from two
billion, a PDF whose content streams never end. Reading one on the bot's event loop would
freeze every chat; reading it in a thread would still let it take all memory. So each file
is read in its own short-lived process, forked from a small server process that has the
readers already imported (multiprocessing "forkserver": a fork costs milliseconds, and the
bot's own threads and sockets are never copied). The child limits itself (RLIMIT_AS for
memory, RLIMIT_CPU for time) before it looks at the bytes; the parent also stops waiting
after the wall-clock budget and kills it. What comes back is the plan as JSON or a
`PlanReadError`; a file that breaks a budget gets one Vietnamese line saying so.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import resource
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot import texts
from bot.plan_import.model import ParsedPlan, plan_from_json
from bot.plan_import.readers import PlanReadError, read_file, read_plan
from bot.plan_import.readers.errors import READ_MEMORY_MB, READ_SECONDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    seconds: float = READ_SECONDS  # for one file, in CPU time and in wall-clock time
    memory_mb: int = READ_MEMORY_MB  # address space of the reading process
    concurrent: int = 2  # files read at the same time


DEFAULT_BUDGET = Budget()
START_TIMEOUT = 60.0  # the first file also starts the fork server, which imports the readers

_context = None
_context_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _mp():
    global _context
    with _context_lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["bot.plan_import.safe"])
            else:  # pragma: no cover - not Linux
                ctx = multiprocessing.get_context("spawn")
            _context = ctx
        return _context


def _child(conn, data: bytes, name: str, today: date | None, budget: Budget) -> None:
    mem = budget.memory_mb * 1024 * 1024
    cpu = max(1, int(budget.seconds + 0.999))
    try:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ValueError, OSError):  # pragma: no cover - a platform without these limits
        pass
    conn.send(("started", None, 0))  # the budget runs from here, not from the fork server's start
    try:
        plan = read_plan(data, name, today=today)
        result = ("ok", plan.to_json())
    except PlanReadError as exc:
        result = ("error", (exc.reason, exc.filename))
    except MemoryError:
        result = ("memory", None)
    except BaseException as exc:  # noqa: BLE001 - everything must come back as an answer
        result = ("crash", repr(exc)[:500])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        conn.send((*result, peak_kb))
    except MemoryError:
        conn.send(("memory", None, peak_kb))
    finally:
        conn.close()


@dataclass
class ReadOutcome:
    plan: ParsedPlan | None
    error: PlanReadError | None
    peak_mb: float  # the reading process's peak resident memory (0 if it was killed)


def read_isolated(data: bytes, name: str = "", today: date | None = None,
                  budget: Budget = DEFAULT_BUDGET) -> ReadOutcome:
    """Read `data` in a worker process within `budget` (blocking; call from a thread)."""
    with _context_lock:
        slot = _slots.setdefault(budget.concurrent, threading.BoundedSemaphore(budget.concurrent))
    with slot:
        ctx = _mp()
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, data, name, today, budget), daemon=True)
        proc.start()
        send.close()
        try:
            started = receive.poll(START_TIMEOUT) and receive.recv()[0] == "started"
            ready = started and receive.poll(budget.seconds)  # the same budget in CPU and wall-clock time
            message = receive.recv() if ready else None
        except (EOFError, OSError):
            message = None  # the process died: killed by its own limits
        finally:
            receive.close()
            if proc.is_alive():
                proc.kill()
            proc.join(5)
    if message is None:
        log.warning("plan file %r stopped: exit code %s", name, proc.exitcode)
        return ReadOutcome(None, PlanReadError(_stopped_reason(proc.exitcode, budget), name), 0.0)
    status, value, peak_kb = message
    peak_mb = peak_kb / 1024
    if status == "ok":
        return ReadOutcome(plan_from_json(value), None, peak_mb)
    if status == "error":
        return ReadOutcome(None, PlanReadError(*value), peak_mb)
    if status == "memory":
        return ReadOutcome(None, PlanReadError(texts.READ_TOO_MUCH_MEMORY.format(mb=budget.memory_mb), name),
                           peak_mb)
    log.error("plan file %r: reader crashed: %s", name, value)
    return ReadOutcome(None, PlanReadError(texts.READ_DAMAGED, name), peak_mb)


def _stopped_reason(exitcode: int | None, budget: Budget) -> str:
    """Why a reading process ended without an answer, from how it ended."""
    if exitcode in (None, -signal.SIGKILL, -signal.SIGXCPU):  # our wall clock, or its CPU limit
        return texts.READ_TOO_SLOW.format(seconds=int(budget.seconds))
    if exitcode in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):  # a C library out of memory
        return texts.READ_TOO_MUCH_MEMORY.format(mb=budget.memory_mb)
    return texts.READ_DAMAGED


def read_plan_isolated(data: bytes, name: str = "", today: date | None = None,
                       budget: Budget = DEFAULT_BUDGET) -> ParsedPlan:
    """`read_plan` in a worker process: the plan, or PlanReadError (also for a broken budget)."""
    outcome = read_isolated(data, name, today, budget)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.plan is not None
    return outcome.plan


def read_path_isolated(path: Path, budget: Budget = DEFAULT_BUDGET, today: date | None = None) -> ParsedPlan:
    """A file on disk (the command line), read the same way."""
    data, name = read_file(path)
    return read_plan_isolated(data, name, today, budget)


# the threads that wait for reading processes: their own, so files queued behind the budget's
# concurrency never hold the event loop's default executor
_waiters = ThreadPoolExecutor(max_workers=DEFAULT_BUDGET.concurrent, thread_name_prefix="plan-read")


async def read_plan_in_worker(data: bytes, name: str = "", today: date | None = None,
                              budget: Budget = DEFAULT_BUDGET) -> ParsedPlan:
    """The same, awaited without blocking the event loop: other chats go on meanwhile."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_waiters, read_plan_isolated, data, name, today, budget)
