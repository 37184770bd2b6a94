"""`make bench`: what a user feels under load, measured on the whole system in one run.

1. Open-loop load (commands through the gateway, `?wait=false`, every 1/rate s whatever the
   earlier ones do: in turn, draft an objective, identify a risk, open a nonconformity,
   draft a review notice) at 60
   and 200 commands/s; during the load, some commands are followed until their version
   shows in the gateway's read model.
2. The highest offered rate at which both p99s stay under 150 ms with no failure.
3. Closed loop (32 commands in flight): persisted-and-published events/s, compared with
   the raw single-row PostgreSQL commit rate measured in the same run.
4. Portal pages (a unit's public page, my tasks, the objectives list with a search) asked for
   by 50 people at once: p50 and p95 per page.
5. Read-model replay (`python -m qms_gateway rebuild`), events/s.
6. A burst of hostile requests to the gateway and the objectives service; RSS of every
   process before and after it; a second replay over what the burst stored.

The last line printed is one JSON object with every figure. Acceptance lines say PASS or
FAIL; a FAIL is information, the program still exits 0.
"""

import asyncio
import json
import math
import os
import resource
import subprocess
import time
from typing import Any

import asyncpg

from bench import dossiers
from bench.hostile import burst
from bench.http import HttpPool
from bench.load import (
    P99_LIMIT_MS,
    UNIT,
    Bench,
    Step,
    approved_risk_plan,
    closed_loop,
    dev_token,
    open_loop,
    search,
)
from bench.portal import AIM_P95_MS, portal_pages
from bench.portal import PEOPLE as PORTAL_PEOPLE
from bench.probe import CommitProbe
from bench.processes import PeakSampler, rss_mb, stack_processes
from bench.raw import raw_kafka, raw_postgres
from bench.readmodel import Watcher, objective_count
from qms_local.stack import Stack, isolated_stack

RATES = [float(r) for r in os.environ.get("QMS_BENCH_RATES", "60,200").split(",")]
RATE_SECONDS = float(os.environ.get("QMS_BENCH_SECONDS", "15"))
STEP_SECONDS = float(os.environ.get("QMS_BENCH_STEP_SECONDS", "8"))
SEARCH_SECONDS = float(os.environ.get("QMS_BENCH_SEARCH_SECONDS", "90"))
CLOSED_SECONDS = float(os.environ.get("QMS_BENCH_CLOSED_SECONDS", "8"))
CLOSED_CONCURRENCY = int(os.environ.get("QMS_BENCH_CONCURRENCY", "32"))
PORTAL_SECONDS = float(os.environ.get("QMS_BENCH_PORTAL_SECONDS", "8"))
ACCEPT_RATE = 200.0
ACCEPT_REPLAY = 20_000.0
ACCEPT_RSS_MB = 150.0


def say(text: str) -> None:
    print(text, flush=True)


def step_line(step: Step) -> str:
    failures = ", ".join(f"{kind} {n}" for kind, n in step.failure_kinds.items())
    caught_up = (
        f"caught up {step.drain_s:.1f} s after the load"
        if step.caught_up
        else f"NOT caught up {step.drain_s:.0f} s after the load"
    )
    return (
        f"  {step.offered:5.0f}/s offered, {step.achieved:5.1f}/s achieved, "
        f"{step.failures} failures{f' ({failures})' if failures else ''}\n"
        f"         command p50 {step.command_p50_ms:.1f} p99 {step.command_p99_ms:.1f} ms | "
        f"read model p50 {step.read_model_p50_ms:.1f} p99 {step.read_model_p99_ms:.1f} "
        f"max {step.read_model_max_ms:.1f} ms ({step.samples} samples) "
        f"{'✓' if step.good else '✗'}\n"
        f"         of which event time (stamped by the command) → read model "
        f"p50 {step.saved_to_read_model_p50_ms:.1f} p99 {step.saved_to_read_model_p99_ms:.1f} ms "
        "(relay, broker, consumer)\n"
        f"         {caught_up}; send lag p99 {step.send_lag_p99_ms:.1f} ms; "
        f"PostgreSQL commit p50 {step.pg_commit_p50_ms:.1f} max {step.pg_commit_max_ms:.0f} ms; "
        f"load average {step.load_average:.1f}; CPU "
        + ", ".join(f"{name} {share:.0%}" for name, share in step.cpu.items())
        + "".join(
            f"\n         {service:<10} command p50 {command['p50_ms']:.1f} "
            f"p99 {command['p99_ms']:.1f} ms | read model p50 {seen['p50_ms']:.1f} "
            f"p99 {seen['p99_ms']:.1f} ms ({seen['count']:.0f} samples)"
            for service, command in step.by_service["command"].items()
            for seen in [step.by_service["read_model"][service]]
        )
    )


def published_reader(services: list[HttpPool]) -> Any:
    async def published() -> float:
        """The relays' `qms_relay_published_total`, summed over services and topics."""
        total = 0.0
        for service in services:
            reply = await service.request("GET", "/metrics")
            for line in reply.body.decode().splitlines():
                if line.startswith("qms_relay_published_total"):
                    total += float(line.rsplit(" ", 1)[1])
        return total

    return published


def rebuild(stack: Stack) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        last = stack.run_gateway_command("rebuild").strip().splitlines()[-1]
    except subprocess.CalledProcessError as error:
        return {
            "events": 0,
            "events_per_s": 0.0,
            "with_process_start_s": time.perf_counter() - started,
            "peak_rss_mb": math.nan,
            "error": (error.stderr or "").strip().splitlines()[-1:],
        }
    result = json.loads(last)
    return {
        "events": result["events"],
        "events_per_s": result["events_per_second"],
        "with_process_start_s": time.perf_counter() - started,
        # Linux: KB; the largest of the finished children (load-units and this rebuild).
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


async def measure(stack: Stack) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    processes, note = stack_processes(stack)
    figures["rss_note"] = note
    sampler = PeakSampler(processes)
    sampler.start()
    figures["rss_start_mb"] = rss_mb(processes)
    authorization = await dev_token(stack.gateway_url)
    gateway = HttpPool(stack.gateway_url)
    objectives = HttpPool(stack.service("objectives").url)
    risk = HttpPool(stack.service("risk").url)
    audit = HttpPool(stack.service("audit").url)
    review = HttpPool(stack.service("review").url)
    procedures = HttpPool(stack.service("procedures").url)
    published = published_reader([objectives, risk, audit, review, procedures])
    risk_plan = await approved_risk_plan(stack.gateway_url)
    risk_headers = {"authorization": await dev_token(stack.gateway_url, role="department_leader")}
    watch = await asyncpg.connect(stack.database_url)
    count = await asyncpg.connect(stack.database_url)
    watcher = Watcher(watch)
    watcher.start()
    probe = CommitProbe(await asyncpg.connect(stack.database_url))
    await probe.start()
    bench = Bench(
        gateway,
        {"authorization": authorization},
        risk_headers,
        risk_plan,
        watcher,
        count,
        processes,
        probe,
    )
    await bench.start()

    # Warm-up: the consumer joins its group, connections open, first-call costs are paid.
    first = await gateway.request(
        "POST",
        f"/api/v1/units/{UNIT}/objectives",
        b'{"year":2026,"title":"warm-up","targets":[{"statement":"s","indicator":"i",'
        b'"target_value":1,"unit_of_measure":"%","deadline":"2026-12-31",'
        b'"department_id":"van-phong","action_plan":"p"}]}',
        {"authorization": authorization, "content-type": "application/json"},
    )
    objective_id = json.loads(first.body)["id"]
    bench.accepted += 1
    warm = await open_loop(bench, 30, 4)
    say(f"Warm-up (not counted):\n{step_line(warm)}")

    cpu_began, wall_began = time.process_time(), time.perf_counter()
    say(f"Open loop at fixed rates, {RATE_SECONDS:.0f} s each:")
    fixed = []
    for rate in RATES:
        step = await open_loop(bench, rate, RATE_SECONDS)
        fixed.append(step)
        say(step_line(step))
    figures["fixed"] = [s.figures() for s in fixed]

    say(f"Search, {STEP_SECONDS:.0f} s steps, at most {SEARCH_SECONDS:.0f} s:")
    began = time.perf_counter()
    best, steps = await search(
        bench, fixed, STEP_SECONDS, SEARCH_SECONDS, lambda s: say(step_line(s))
    )
    figures["search"] = {
        "highest_good_rate": best,
        "seconds": time.perf_counter() - began,
        "steps": [s.figures() for s in steps],
    }
    await watcher.stop()
    await probe.stop()
    # The generator shares the cores with the system: how much of them it took.
    figures["bench_cpu_share_during_open_loop"] = (time.process_time() - cpu_began) / (
        time.perf_counter() - wall_began
    )

    say(f"Closed loop, {CLOSED_CONCURRENCY} in flight, {CLOSED_SECONDS:.0f} s…")
    figures["closed_loop"] = await closed_loop(bench, CLOSED_SECONDS, CLOSED_CONCURRENCY, published)
    figures["raw_postgres"] = await raw_postgres(stack.database_url)
    pg = figures["raw_postgres"]["single_row_commits_per_s"]
    figures["closed_loop"]["published_vs_raw_postgres"] = (
        figures["closed_loop"]["published_per_s"] / pg
    )
    figures["closed_loop"]["read_model_vs_raw_postgres"] = (
        figures["closed_loop"]["read_model_per_s"] / pg
    )

    say(f"Portal pages, {PORTAL_PEOPLE} people at once, {PORTAL_SECONDS:.0f} s per page…")
    figures["portal"] = {
        "objectives_in_unit": await objective_count(count),
        "pages": await portal_pages(
            stack.gateway_url,
            (await dev_token(stack.gateway_url, "thuky")).removeprefix("Bearer "),
            UNIT,
            "hiệu năng 12",
            PORTAL_SECONDS,
        ),
    }

    say("Replay (rebuild the read models)…")
    figures["replay"] = await asyncio.to_thread(rebuild, stack)

    say("Dossier filing and step completion, 50 desks at once…")
    figures["dossiers"] = await dossiers.measure(stack.gateway_url)
    figures["rss_before_hostile_mb"] = rss_mb(processes)
    say("Hostile-input burst…")
    figures["hostile"] = await burst(
        {"gateway": stack.gateway_url, "objectives": stack.service("objectives").url},
        authorization,
        objective_id,
    )
    await asyncio.sleep(2)  # let the services finish and give back what they can
    figures["rss_after_hostile_mb"] = rss_mb(processes)

    say("Replay again, over what the hostile burst stored…")
    figures["replay_after_hostile"] = await asyncio.to_thread(rebuild, stack)
    figures["raw_kafka"] = await raw_kafka(stack.kafka_bootstrap)
    figures["rss_end_mb"] = rss_mb(processes)
    await sampler.stop()
    figures["rss_peak_mb"] = sampler.peak
    figures["read_model_polls"] = watcher.polls
    await gateway.close()
    await objectives.close()
    await risk.close()
    await audit.close()
    await review.close()
    await procedures.close()
    await watch.close()
    await count.close()
    return figures


def verdicts(figures: dict[str, Any]) -> list[tuple[bool, str]]:
    lines = []
    at = [s for s in figures["fixed"] if s["offered"] == ACCEPT_RATE]
    if at:
        s = at[0]
        lines.append(
            (
                s["command_p99_ms"] < P99_LIMIT_MS and s["failures"] == 0,
                f"{ACCEPT_RATE:.0f}/s command p99 {s['command_p99_ms']:.1f} ms < 150 ms, "
                f"{s['failures']} failures",
            )
        )
        lines.append(
            (
                s["read_model_p99_ms"] < P99_LIMIT_MS and s["unseen_samples"] == 0,
                f"{ACCEPT_RATE:.0f}/s command → read model p99 {s['read_model_p99_ms']:.1f} ms "
                f"< 150 ms (sampled during the load, {s['samples']} samples)",
            )
        )
    replay = figures["replay"]["events_per_s"]
    lines.append((replay >= ACCEPT_REPLAY, f"replay {replay:,.0f} events/s ≥ 20,000"))
    for name, size in figures["rss_end_mb"].items():
        worst = max(
            size,
            figures["rss_before_hostile_mb"].get(name, 0.0),
            figures["rss_after_hostile_mb"].get(name, 0.0),
        )
        lines.append(
            (
                worst < ACCEPT_RSS_MB,
                f"RSS {name} {worst:.0f} MB < 150 MB "
                "(largest of before, 2 s after the hostile burst, and at the end)",
            )
        )
    for page in figures["portal"]["pages"]:
        lines.append(
            (
                page["p95_ms"] < AIM_P95_MS and not page["failures"],
                f"portal {page['page']} p95 {page['p95_ms']:.0f} ms < {AIM_P95_MS:.0f} ms "
                f"with {PORTAL_PEOPLE} people at once (aim)",
            )
        )
    return lines


def finite(value: Any) -> Any:
    """JSON without NaN: a figure that could not be measured is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def rss_table(figures: dict[str, Any]) -> str:
    rows = []
    for name in figures["rss_end_mb"]:
        rows.append(
            f"  {name:<12} start {figures['rss_start_mb'].get(name, math.nan):6.1f} | "
            f"before hostile {figures['rss_before_hostile_mb'].get(name, math.nan):6.1f} | "
            f"after hostile {figures['rss_after_hostile_mb'].get(name, math.nan):6.1f} | "
            f"end {figures['rss_end_mb'][name]:6.1f} | "
            f"peak sampled {figures['rss_peak_mb'].get(name, math.nan):6.1f} MB"
        )
    return "\n".join(rows)


def _steps(figures: list[dict[str, Any]]) -> list[str]:
    return [step_line(Step(**{k: v for k, v in s.items() if k != "good"})) for s in figures]


def summary(figures: dict[str, Any], seconds: float) -> str:
    c, r, h = figures["closed_loop"], figures["replay"], figures["hostile"]
    pg, kafka, found = figures["raw_postgres"], figures["raw_kafka"], figures["search"]
    lines = [
        "",
        f"=== e-ISO benchmark ({seconds:.0f} s; the machine is shared: figures are noisy) ===",
        "Open loop, one command of each service in turn through the gateway (?wait=false):",
        "draft an objective, identify a risk, open a nonconformity, draft a review notice;",
        "latencies count from when each command was due; read model = command due → its",
        "version visible in the gateway's read model (a sample of each service's commands,",
        "polled every 2 ms during the load):",
        *_steps(figures["fixed"]),
        f"Highest offered rate with both p99 < 150 ms and no failure: "
        f"{found['highest_good_rate']:.0f}/s (search {found['seconds']:.0f} s)",
        *_steps(found["steps"]),
        f"The load generator itself used {figures['bench_cpu_share_during_open_loop']:.0%} "
        "of one core during the open-loop phases.",
        f"Closed loop ({c['concurrency']} in flight, {c['seconds']:.1f} s): "
        f"{c['commands_per_s']:.0f} commands/s accepted, {c['failures']} failures, "
        f"command p50 {c['command_p50_ms']:.1f} p99 {c['command_p99_ms']:.1f} ms",
        *(
            f"  {service:<10} {f['count']:.0f} commands, p50 {f['p50_ms']:.1f} "
            f"p99 {f['p99_ms']:.1f} ms"
            for service, f in c["command_by_service"].items()
        ),
        f"  persisted and published {c['published_per_s']:.0f} events/s "
        f"(relay done {c['publish_backlog_s']:.1f} s after the load); "
        f"in the read model {c['read_model_per_s']:.0f} events/s "
        f"({'done' if c['read_model_caught_up'] else 'NOT done'} "
        f"{c['read_model_backlog_s']:.1f} s after)",
        "  CPU over that time: "
        + ", ".join(f"{name} {share:.0%}" for name, share in c["cpu"].items()),
        f"  raw PostgreSQL single-row commits {pg['single_row_commits_per_s']:.0f}/s: "
        f"published/raw {c['published_vs_raw_postgres']:.2f}, "
        f"read model/raw {c['read_model_vs_raw_postgres']:.2f}",
        f"Portal pages, {PORTAL_PEOPLE} people at once "
        f"({figures['portal']['objectives_in_unit']} objectives in the unit):",
        *(
            f"  {page['page']}: p50 {page['p50_ms']:.0f} ms, p95 {page['p95_ms']:.0f} ms, "
            f"{page['pages_per_s']:.0f} pages/s, {page['failures']} failures"
            for page in figures["portal"]["pages"]
        ),
        "Dossiers, {concurrency} filings at once through the gateway: {filed} filed "
        "({filing_failures} failed), codes allocated {codes_per_s:.0f}/s, gap-free "
        "{codes_gap_free}, filing p50 {filing_p50_ms:.0f} p99 {filing_p99_ms:.0f} ms; "
        "first step completed on each: {steps_completed} at {steps_per_s:.0f}/s, "
        "p99 {step_p99_ms:.0f} ms".format(**figures["dossiers"]),
        f"Replay: {r['events']} events at {r['events_per_s']:,.0f} events/s "
        f"({r['with_process_start_s']:.1f} s with process start, "
        f"peak RSS {r['peak_rss_mb']:.0f} MB)",
        *(f"  rebuild failed: {line}" for line in r.get("error", [])),
        f"Raw aiokafka produce (500 B, 1 partition): send_and_wait "
        f"{kafka['send_and_wait_per_s']:.0f}/s, batched {kafka['batched_per_s']:.0f}/s",
        f"Hostile burst, {h['requests']} requests, answers by class:",
        *(f"  {target}: {counts}" for target, counts in h["by_target"].items()),
        "  largest answer (bytes): "
        + ", ".join(f"{t} {n:,}" for t, n in h["largest_answer_bytes"].items()),
        "  5xx or no answer:",
        *(f"    {line}" for line in h["server_errors"] or ["none"]),
        "  accepted (2xx) although hostile:",
        *(f"    {line}" for line in h["accepted"] or ["none"]),
        "  replay after the hostile burst: "
        + ("; ".join(figures["replay_after_hostile"].get("error", [])) or "ok"),
        "RSS (MB):",
        rss_table(figures),
        f"  {figures['rss_note']}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    say("Starting the stack (scratch database, broker, the gateway and every service)…")
    began = time.perf_counter()
    with isolated_stack("qms-bench-") as stack:
        figures = asyncio.run(measure(stack))
    seconds = time.perf_counter() - began
    figures["total_seconds"] = seconds
    say(summary(figures, seconds))
    for passed, line in verdicts(figures):
        say(f"{'PASS' if passed else 'FAIL'}  {line}")
    figures["acceptance"] = [{"pass": passed, "check": line} for passed, line in verdicts(figures)]
    print(json.dumps(finite(figures), ensure_ascii=False))


if __name__ == "__main__":
    main()
