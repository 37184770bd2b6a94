"""Resident memory of every process of the stack, now and at its peak while sampled."""

import asyncio
import contextlib
from pathlib import Path

import psutil

from qms_local.stack import Stack

MB = 1024 * 1024


def stack_processes(stack: Stack) -> tuple[dict[str, psutil.Process], str]:
    """The processes to weigh by name, and a note on what is left out."""
    found: dict[str, psutil.Process] = {}
    notes = []
    for name, service in stack.services.items():
        if service.process is not None:
            found[name] = psutil.Process(service.process.pid)
    if stack.broker is not None and stack.broker.process is not None:
        found["broker"] = psutil.Process(stack.broker.process.pid)
    else:
        notes.append("the broker is external (QMS_TEST_KAFKA_BOOTSTRAP) and not weighed")
    postmaster = stack.state_dir / "pg" / "postmaster.pid"
    if postmaster.exists():
        main = psutil.Process(int(Path(postmaster).read_text().split()[0]))
        found["postgres"] = main
        for child in main.children():
            with contextlib.suppress(psutil.Error):
                found[f"postgres:{child.pid}:{' '.join(child.cmdline()[:3])}"] = child
    else:
        notes.append(
            "PostgreSQL is the machine's server (a scratch database on it), not the stack's: "
            "not weighed"
        )
    return found, "; ".join(notes)


def rss_mb(processes: dict[str, psutil.Process]) -> dict[str, float]:
    """RSS of each process in MB (each service is one process: uvicorn without workers)."""
    sizes = {}
    for name, process in processes.items():
        with contextlib.suppress(psutil.Error):
            sizes[name] = process.memory_info().rss / MB
    return sizes


def cpu_seconds(processes: dict[str, psutil.Process]) -> dict[str, float]:
    """CPU time (user + system) each process used so far, in seconds."""
    used = {}
    for name, process in processes.items():
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            used[name] = times.user + times.system
    return used


def cpu_share(
    before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    """Fraction of one core each process used between two `cpu_seconds` readings."""
    return {name: (after[name] - before[name]) / seconds for name in after if name in before}


class PeakSampler:
    """Samples RSS every `interval` s in the background and keeps each process's peak."""

    def __init__(self, processes: dict[str, psutil.Process], interval: float = 0.1) -> None:
        self._processes = processes
        self._interval = interval
        self.peak: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            for name, size in rss_mb(self._processes).items():
                self.peak[name] = max(size, self.peak.get(name, 0.0))
            await asyncio.sleep(self._interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
