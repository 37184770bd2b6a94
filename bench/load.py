"""Load: open loop at a fixed offered rate, the search for the highest good rate, closed loop."""

import asyncio
import json
import math
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import psutil

from bench.http import HttpPool
from bench.probe import CommitProbe
from bench.processes import cpu_seconds, cpu_share
from bench.readmodel import Watcher, drain, record_count
from qms_local import demo
from qms_local.demo import PLAN

UNIT = "so-khcn"
DRAFT_PATH = f"/api/v1/units/{UNIT}/objectives?wait=false"
IDENTIFY_PATH = f"/api/v1/units/{UNIT}/risks?wait=false"
OPEN_NC_PATH = f"/api/v1/units/{UNIT}/nonconformities?wait=false"
NOTICE_PATH = f"/api/v1/units/{UNIT}/reviews?wait=false"
PROCEDURE_PATH = f"/api/v1/units/{UNIT}/procedures?wait=false"
#: The department of the made-up department leader who identifies risks under load.
RISK_DEPARTMENT = "van-phong"
P99_LIMIT_MS = 150.0
REQUEST_TIMEOUT = 10.0
SAMPLES_PER_SECOND = 25  # read-model samples per second of load, whatever the rate
VISIBLE_TIMEOUT = 10.0  # a sample not in the read model by then counts as a failure
DRAIN_SECONDS = 20.0  # at most this long after a step for the read model to catch up


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (the value below which `fraction` of the values lie)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def body(index: int) -> bytes:
    return json.dumps(
        {
            "year": 2026,
            "title": f"Mục tiêu đo hiệu năng {index}",
            "targets": [
                {
                    "statement": "100% hồ sơ đúng hạn",
                    "indicator": "Tỷ lệ đúng hạn",
                    "target_value": 100,
                    "unit_of_measure": "%",
                    "deadline": "2026-12-31",
                    "department_id": "van-phong",
                    "action_plan": "Theo dõi hằng tuần",
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def risk_body(index: int, plan_id: str) -> bytes:
    return json.dumps(
        {
            "plan_id": plan_id,
            "kind": "risk",
            "title": f"Rủi ro đo hiệu năng {index}",
            "process": "QT-MC-01",
            "cause": "Thiếu nhân lực",
            "consequence": "Hồ sơ trễ hạn",
            "department_id": RISK_DEPARTMENT,
        },
        ensure_ascii=False,
    ).encode()


def nonconformity_body(index: int) -> bytes:
    return json.dumps(
        {
            "source": "process_monitoring",
            "department_id": RISK_DEPARTMENT,
            "description": f"Sự không phù hợp đo hiệu năng {index}",
            "clause": "8.5.1",
        },
        ensure_ascii=False,
    ).encode()


def procedure_body(index: int) -> bytes:
    """A procedure's first version under a code of its own (a code is unique per unit)."""
    steps = [("Tiếp nhận", "van-phong", "", 1), ("Thẩm định", RISK_DEPARTMENT, "", 5)]
    return json.dumps(
        demo.procedure_body(f"QT-L{index}", f"Quy trình đo hiệu năng {index}", steps),
        ensure_ascii=False,
    ).encode()


def notice_body(index: int) -> bytes:
    """A review notice; its year cycles over a century, so that notices drafted at once rarely
    number their rounds in the same (unit, year) register."""
    year = 2000 + index % 100
    return json.dumps(
        {
            "year": year,
            "title": f"Thông báo đo hiệu năng {index}",
            "agenda": [{"topic": "objective_achievement", "department_ids": [RISK_DEPARTMENT]}],
            "report_deadline": f"{year}-12-01",
            "meeting_date": f"{year}-12-15",
        },
        ensure_ascii=False,
    ).encode()


@dataclass(frozen=True)
class Command:
    """One kind of command in the mix: its owning service, path, body and sender."""

    service: str
    path: str
    body: Callable[[int], bytes]
    headers: dict[str, str]


def per_service(
    samples: list[tuple[str, float]], services: list[str]
) -> dict[str, dict[str, float]]:
    """p50 and p99 (ms) and the count of each service's samples."""
    found = {}
    for service in services:
        mine = [value for name, value in samples if name == service]
        found[service] = {
            "count": len(mine),
            "p50_ms": 1000 * percentile(mine, 0.50),
            "p99_ms": 1000 * percentile(mine, 0.99),
        }
    return found


async def dev_token(url: str, seeded: str | None = None, role: str = "iso_secretary") -> str:
    """A made-up person's token (a secretary unless `role` says otherwise), or a seeded
    user's (`thuky`)."""
    made_up = {
        "sub": f"bench-{role}",
        "name": "bench",
        "unit_id": UNIT,
        "roles": [role],
        "department_id": RISK_DEPARTMENT,
    }
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        reply = await client.post("/auth/dev-token", json={"sub": seeded} if seeded else made_up)
        reply.raise_for_status()
        return f"Bearer {reply.json()['access_token']}"


async def approved_risk_plan(url: str) -> str:
    """A risk plan of the unit, drafted, submitted and approved: risks are identified under it."""
    secretary = {"authorization": await dev_token(url)}
    leader = {"authorization": await dev_token(url, role="unit_leader")}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        drafted = await client.post(
            f"/api/v1/units/{UNIT}/risk-plans", json=PLAN, headers=secretary
        )
        drafted.raise_for_status()
        plan_id: str = drafted.json()["id"]
        for step, who in (("submit", secretary), ("approve", leader)):
            (
                await client.post(f"/api/v1/risk-plans/{plan_id}/{step}", headers=who)
            ).raise_for_status()
    return plan_id


class Bench:
    """What every load phase shares: the gateway connections, the mix, the watchers.

    The load is a mix of services, one command of each in turn: draft an objective (as the
    secretary), identify a risk under `risk_plan` (as a department leader), open a
    nonconformity, draft a review notice, draft a procedure (as the secretary). Filing dossiers
    has a phase of its own (bench.dossiers): a unit's codes of a day are one counter.
    """

    def __init__(
        self,
        gateway: HttpPool,
        headers: dict[str, str],
        risk_headers: dict[str, str],
        risk_plan: str,
        watcher: Watcher,
        counter: asyncpg.Connection,
        processes: dict[str, psutil.Process],
        probe: CommitProbe,
    ) -> None:
        self.probe = probe
        self.processes = {k: v for k, v in processes.items() if not k.startswith("postgres:")}
        self.gateway = gateway
        json_headers = {**headers, "content-type": "application/json"}
        self.mix = [
            Command("objectives", DRAFT_PATH, body, json_headers),
            Command(
                "risk",
                IDENTIFY_PATH,
                lambda index: risk_body(index, risk_plan),
                {**risk_headers, "content-type": "application/json"},
            ),
            Command("audit", OPEN_NC_PATH, nonconformity_body, json_headers),
            Command("review", NOTICE_PATH, notice_body, json_headers),
            Command("procedures", PROCEDURE_PATH, procedure_body, json_headers),
        ]
        self.services = [command.service for command in self.mix]
        self.watcher = watcher
        self.counter = counter
        self.index = 0
        self.accepted = 0  # every 201 so far, to know when the read model caught up
        self.baseline = 0

    async def command(self) -> tuple[str, int, bytes]:
        """The next command of the mix: its service, the reply's status and body."""
        self.index += 1
        command = self.mix[self.index % len(self.mix)]
        sent = ("POST", command.path, command.body(self.index), command.headers)
        reply = await asyncio.wait_for(self.gateway.request(*sent), REQUEST_TIMEOUT)
        if reply.status == 201:
            self.accepted += 1
        return command.service, reply.status, reply.body

    async def caught_up(self, within_s: float = DRAIN_SECONDS) -> bool:
        """Wait until the read model shows every command accepted so far (or give up)."""
        return await drain(self.counter, self.baseline + self.accepted, within_s)

    async def start(self) -> None:
        self.baseline = await record_count(self.counter)


@dataclass
class Step:
    offered: float
    seconds: float
    achieved: float
    sent: int
    accepted: int
    failures: int
    failure_kinds: dict[str, int]
    command_p50_ms: float
    command_p99_ms: float
    command_max_ms: float
    read_model_p50_ms: float
    read_model_p99_ms: float
    read_model_max_ms: float
    saved_to_read_model_p50_ms: float
    saved_to_read_model_p99_ms: float
    samples: int
    unseen_samples: int
    send_lag_p99_ms: float
    caught_up: bool
    drain_s: float
    cpu: dict[str, float]
    pg_commit_p50_ms: float
    pg_commit_max_ms: float
    load_average: float
    #: Per service: command and read-model p50/p99 and counts.
    by_service: dict[str, dict[str, dict[str, float]]]

    @property
    def good(self) -> bool:
        return (
            self.failures == 0
            and self.command_p99_ms < P99_LIMIT_MS
            and self.read_model_p99_ms < P99_LIMIT_MS
        )

    def figures(self) -> dict[str, Any]:
        return {**self.__dict__, "good": self.good}


def _failure(error: BaseException) -> str:
    return "timeout" if isinstance(error, TimeoutError) else type(error).__name__


async def open_loop(
    bench: Bench, rate: float, seconds: float, drain_s: float = DRAIN_SECONDS
) -> Step:
    """One command every 1/rate s, whatever the earlier ones are doing.

    Latencies count from the moment a command was due, not from when it was sent: if the
    generator falls behind, the delay is in the figures (no coordinated omission), and the
    generator's own lag is reported beside them. Every `every`-th command of each service is
    a read-model sample (counted per service: a count over the mix would sample one service).
    """
    total = max(1, round(rate * seconds))
    every = max(1, round(rate / SAMPLES_PER_SECOND))
    latencies: list[tuple[str, float]] = []
    lags: list[float] = []
    failures: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    finished = 0.0

    async def one(due: float) -> None:
        nonlocal finished
        lags.append(time.perf_counter() - due)
        try:
            service, status, content = await bench.command()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            failures[_failure(error)] += 1
            return
        now = time.perf_counter()
        if status != 201:
            failures[f"HTTP {status}"] += 1
            return
        latencies.append((service, now - due))
        finished = max(finished, now)
        accepted[service] += 1
        if accepted[service] % every == 0:
            result = json.loads(content)
            bench.watcher.expect(uuid.UUID(result["id"]), int(result["version"]), due, service)

    bench.watcher.take()
    bench.probe.take()
    tasks = []
    cpu_before = cpu_seconds(bench.processes)
    began = time.perf_counter()
    for index in range(total):
        due = began + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    caught_up = await bench.caught_up(drain_s)
    drained = max(0.0, time.perf_counter() - (began + seconds))
    cpu = cpu_share(cpu_before, cpu_seconds(bench.processes), time.perf_counter() - began)
    commits = bench.probe.take()
    unseen = await bench.watcher.settle(VISIBLE_TIMEOUT if caught_up else 0.5)
    if unseen:
        failures["not in the read model"] += unseen
    seen, pipeline = bench.watcher.take()
    visible = [latency for _, latency in seen]
    commands = [latency for _, latency in latencies]
    elapsed = max(finished, began + seconds) - began
    ms = 1000.0
    return Step(
        offered=rate,
        seconds=seconds,
        achieved=len(commands) / elapsed,
        sent=total,
        accepted=len(commands),
        failures=sum(failures.values()),
        failure_kinds=dict(failures),
        command_p50_ms=ms * percentile(commands, 0.50),
        command_p99_ms=ms * percentile(commands, 0.99),
        command_max_ms=ms * max(commands, default=math.nan),
        read_model_p50_ms=ms * percentile(visible, 0.50),
        read_model_p99_ms=ms * percentile(visible, 0.99),
        read_model_max_ms=ms * max(visible, default=math.nan),
        saved_to_read_model_p50_ms=ms * percentile(pipeline, 0.50),
        saved_to_read_model_p99_ms=ms * percentile(pipeline, 0.99),
        samples=len(visible),
        unseen_samples=unseen,
        send_lag_p99_ms=ms * percentile(lags, 0.99),
        caught_up=caught_up,
        drain_s=drained,
        cpu=cpu,
        pg_commit_p50_ms=ms * percentile(commits, 0.50),
        pg_commit_max_ms=ms * max(commits, default=math.nan),
        load_average=os.getloadavg()[0],
        by_service={
            "command": per_service(latencies, bench.services),
            "read_model": per_service(seen, bench.services),
        },
    )


STEP_UP = (250, 300, 400, 500, 650, 800, 1000, 1300, 1600, 2000, 2500, 3200)


async def search(
    bench: Bench,
    tried: list[Step],
    step_seconds: float,
    budget_seconds: float,
    report: Any,
) -> tuple[float, list[Step]]:
    """The highest offered rate at which both p99s stay under the limit with no failure.

    Steps up from the best good rate so far until a step fails, then halves the gap
    between the best good and the lowest bad rate while the time budget lasts.
    """
    steps: list[Step] = []
    began = time.perf_counter()

    def bounds() -> tuple[float, float | None]:
        everything = tried + steps
        good = [s.offered for s in everything if s.good]
        bad = [s.offered for s in everything if not s.good]
        low = max(good, default=0.0)
        high = min((rate for rate in bad if rate > low), default=None)
        return low, high

    while time.perf_counter() - began + step_seconds <= budget_seconds:
        low, high = bounds()
        if high is None:
            rate = float(next((r for r in STEP_UP if r > low), low * 1.25))
        else:
            if high - low <= max(10.0, 0.1 * high):
                break
            rate = float(round((low + high) / 2 / 5) * 5)
        remaining = budget_seconds - (time.perf_counter() - began) - step_seconds
        step = await open_loop(bench, rate, step_seconds, max(2.0, min(DRAIN_SECONDS, remaining)))
        steps.append(step)
        report(step)
    return bounds()[0], steps


async def closed_loop(
    bench: Bench, seconds: float, concurrency: int, published: Any
) -> dict[str, float]:
    """As fast as the system takes commands: `concurrency` commands in flight for `seconds`.

    Then waits until the relay published (its counter on /metrics) and the read model
    shows every accepted command: the rates count from the start to those moments, so a
    backlog left at the end of the load is in them.
    """
    published_before = await published()
    cpu_before = cpu_seconds(bench.processes)
    accepted_before = bench.accepted
    failures = 0
    latencies: list[tuple[str, float]] = []
    began = time.perf_counter()
    deadline = began + seconds

    async def worker() -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                service, status, _ = await bench.command()
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                failures += 1
                await asyncio.sleep(0.1)
                continue
            if status == 201:
                latencies.append((service, time.perf_counter() - started))
            else:
                failures += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    ended = time.perf_counter()
    accepted = bench.accepted - accepted_before
    target = published_before + accepted
    published_at = ended
    while await published() < target and time.perf_counter() - ended < DRAIN_SECONDS:
        await asyncio.sleep(0.02)
        published_at = time.perf_counter()
    published_all = await published() >= target
    caught_up = await bench.caught_up()
    visible_at = time.perf_counter()
    cpu = cpu_share(cpu_before, cpu_seconds(bench.processes), visible_at - began)
    return {
        "seconds": ended - began,
        "concurrency": concurrency,
        "accepted": accepted,
        "failures": failures,
        "commands_per_s": accepted / (ended - began),
        "command_p50_ms": 1000 * percentile([v for _, v in latencies], 0.50),
        "command_p99_ms": 1000 * percentile([v for _, v in latencies], 0.99),
        "command_by_service": per_service(latencies, bench.services),
        "published_all": published_all,
        "published_per_s": accepted / (published_at - began),
        "read_model_per_s": accepted / (visible_at - began),
        "publish_backlog_s": published_at - ended,
        "read_model_backlog_s": visible_at - ended,
        "read_model_caught_up": caught_up,
        "cpu": cpu,
    }
