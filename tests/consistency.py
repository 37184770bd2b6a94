"""What the fault tests check at the end: every event in the gateway read model exactly once.

The truth is every service's event store, read through its event feed.
"""

import re
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import httpx
import psycopg

from qms_local.stack import SERVICES, Stack
from qms_procedures.working_days import CALENDAR_ID
from qms_runtime.auth import DevIssuer
from qms_runtime.clock import TIMEZONE
from qms_runtime.settings import postgres_params


def feeds(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    """Every service's events, from its event store (its feed), as CloudEvents documents."""
    env = stack.common_env()
    issuer = DevIssuer(env["QMS_JWT_ISSUER"], "e-iso", env["QMS_DEV_SIGNING_KEY_FILE"])
    token = issuer.issue("svc-test", "Kiểm thử", ["*"], ["service"], lifetime_seconds=300)
    headers = {"authorization": f"Bearer {token}"}
    found: dict[str, list[dict[str, Any]]] = {}
    for name in SERVICES:
        events = found[name] = []
        with httpx.Client(base_url=stack.service(name).url, headers=headers, timeout=30) as client:
            after = 0
            while True:
                page = client.get("/api/v1/feed", params={"after": after, "limit": 1000}).json()
                events += page["events"]
                if page["next"] == after:
                    break
                after = page["next"]
    return found


def service_truth(stack: Stack) -> tuple[dict[str, int], Counter[str]]:
    """Latest version per aggregate, and progress records per objective, from the event stores."""
    versions: dict[str, int] = {}
    progress: Counter[str] = Counter()
    for events in feeds(stack).values():
        for event in events:
            versions[event["subject"]] = event["aggregateversion"]
            if event["type"].endswith("TargetProgressRecorded.v1"):
                progress[event["subject"]] += 1
    return versions, progress


def read_model(stack: Stack) -> tuple[dict[str, int], Counter[str]]:
    with psycopg.connect(**postgres_params(stack.database_url)) as connection:  # type: ignore[arg-type]
        rows = connection.execute(
            "SELECT id, version, targets FROM gateway.objectives "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.documents "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.risk_plans "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.risk_entries "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.audit_programmes "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.audit_plans "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.nonconformities "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.reviews "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.procedure_versions "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.dossiers "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.feedback "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.satisfaction_ratings "
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.cause_nonconformities "
            # The working calendar is a table of days: its version is the projection's.
            "UNION ALL SELECT aggregate_id, version, '[]'::jsonb FROM gateway.aggregate_versions "
            "WHERE aggregate_id = %s",
            (CALENDAR_ID,),
        ).fetchall()
    versions = {str(row[0]): row[1] for row in rows}
    progress: Counter[str] = Counter()
    for row in rows:
        count = sum(len(target.get("progress", [])) for target in row[2])
        if count:
            progress[str(row[0])] = count
    return versions, progress


def assert_consistent(stack: Stack, timeout: float = 120) -> None:
    """The gateway's read models and the services' consumers hold every event, once."""
    assert_read_model_complete(stack, timeout)
    assert_consumers_complete(stack, timeout)


def assert_read_model_complete(stack: Stack, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    truth: Any = None
    seen: Any = None
    while time.monotonic() < deadline:
        truth, seen = service_truth(stack), read_model(stack)
        if truth == seen:
            return
        time.sleep(0.5)
    missing = {k: v for k, v in truth[0].items() if seen[0].get(k) != v}
    raise AssertionError(
        f"read model differs from the event store: {missing}; progress {truth[1]} vs {seen[1]}"
    )


#: The services' own consumers: whose events each takes.
CONSUMERS = {
    "review": ("objectives", "audit"),
    "audit": ("review", "procedures"),
    "objectives": ("procedures",),
}
#: The events the review service keeps a fact of in its evidence pack (by name).
FACTS = re.compile(
    r"\.(ObjectiveApproved|ObjectiveEvaluated|AuditProgrammeApproved|FindingRecorded|"
    r"AuditConcluded|NonconformityOpened|NonconformityClosed|\w+Published|\w+Superseded)\.v1$"
)


def indicator_values(
    found: dict[str, list[dict[str, Any]]],
) -> tuple[dict[tuple[str, str], float | None], dict[tuple[str, str], float | None]]:
    """Per target that follows a statistic, of each objective disseminated and not evaluated:
    the statistic of its year from the procedures' events (the gateway's definitions), and the
    latest value the objective recorded (None: none yet)."""
    counts: Counter[tuple[str, str, str | None, int, bool]] = Counter()
    for e in found["procedures"]:
        d, kind = e["data"], e["type"]
        if kind.endswith(".DossierCompleted.v1"):
            observed = ("dossiers_on_time", int(d["received_on"][:4]), d["outcome"] != "late")
        elif kind.endswith(".SatisfactionRated.v1"):
            rated_on = datetime.fromisoformat(d["rated_at"]).astimezone(TIMEZONE).date()
            observed = ("satisfaction", rated_on.year, d["level"] == "satisfied")
        else:
            continue
        for procedure in (d["procedure_id"], None):
            counts[(d["unit_id"], observed[0], procedure, observed[1], observed[2])] += 1
    objectives: dict[str, dict[str, Any]] = {}
    recorded: dict[tuple[str, str], tuple[str, int, float]] = {}
    for n, e in enumerate(found["objectives"]):
        d, kind = e["data"], e["type"]
        if kind.endswith(".ObjectiveDrafted.v1"):
            objectives[d["objective_id"]] = {
                "open": False,
                "unit": d["unit_id"],
                "year": d["year"],
                "targets": d["targets"],
            }
        elif kind.endswith(".ObjectiveRevised.v1"):
            objectives[d["objective_id"]]["targets"] = d["targets"]
        elif kind.endswith(".ObjectiveDisseminated.v1"):
            objectives[d["objective_id"]]["open"] = True
        elif kind.endswith(".ObjectiveEvaluated.v1"):
            objectives[d["objective_id"]]["open"] = False
        elif kind.endswith(".TargetProgressRecorded.v1") and d.get("source"):
            key = (d["objective_id"], d["target_id"])
            recorded[key] = max(recorded.get(key, ("", -1, 0.0)), (d["as_of"], n, d["value"]))
    expected: dict[tuple[str, str], float | None] = {}
    latest: dict[tuple[str, str], float | None] = {}
    for objective_id, o in objectives.items():
        for target in o["targets"] if o["open"] else []:
            source = target.get("source")
            if not source:
                continue
            of = (o["unit"], source["kind"], source["procedure_id"], o["year"])
            good, bad = counts[(*of, True)], counts[(*of, False)]
            key = (objective_id, target["target_id"])
            expected[key] = round(100 * good / (good + bad), 1) if good + bad else None
            latest[key] = recorded[key][2] if key in recorded else None
    return expected, latest


def consumers_truth(stack: Stack) -> dict[str, Any]:
    """What the services' consumers should hold, from the event stores: the events each has
    to process, the review's evidence facts, the nonconformities review outputs open."""
    found = feeds(stack)
    indicators, recorded = indicator_values(found)
    return {
        "indicators": indicators,
        "recorded_indicators": recorded,
        "processed": {
            consumer: {e["id"] for source in sources for e in found[source]}
            for consumer, sources in CONSUMERS.items()
        },
        "facts": {
            e["id"]
            for name in ("objectives", "audit")
            for e in found[name]
            if FACTS.search(e["type"])
        },
        "review_outputs": {
            (e["data"]["review_id"], output["output_id"])
            for e in found["review"]
            if e["type"].endswith(".ReviewConcluded.v1")
            for output in e["data"]["outputs"]
            if output["corrective_action_needed"]
        },
        "raised_complaints": {
            e["data"]["feedback_id"]
            for e in found["procedures"]
            if e["type"].endswith(".ComplaintNonconformityRaised.v1")
        },
        "opened_from_complaints": {
            e["data"]["feedback_id"]
            for e in found["audit"]
            # One opened by hand with source "complaint" names no feedback.
            if e["type"].endswith(".NonconformityOpened.v1") and e["data"].get("feedback_id")
        },
        "raised_causes": {
            e["data"]["raise_id"]
            for e in found["procedures"]
            if e["type"].endswith(".CauseNonconformityRaised.v1")
        },
        "opened_from_causes": {
            e["data"]["cause_raise_id"]
            for e in found["audit"]
            if e["type"].endswith(".NonconformityOpened.v1") and e["data"].get("cause_raise_id")
        },
        "opened_from_reviews": {
            (e["data"]["review_id"], e["data"]["output_id"])
            for e in found["audit"]
            if e["type"].endswith(".NonconformityOpened.v1") and e["data"]["source"] == "review"
        },
    }


def consumers_state(stack: Stack) -> tuple[dict[str, set[str]], set[str]]:
    """The events each consumer recorded as processed, and the review's evidence facts."""
    with psycopg.connect(**postgres_params(stack.database_url)) as connection:  # type: ignore[arg-type]
        processed = {
            consumer: {
                row[0]
                for row in connection.execute(
                    f'SELECT event_id FROM "{consumer}".processed_events'
                ).fetchall()
            }
            for consumer in CONSUMERS
        }
        facts = {row[0] for row in connection.execute("SELECT event_id FROM review.evidence_facts")}
    return processed, facts


def assert_consumers_complete(stack: Stack, timeout: float = 120) -> None:
    """Every event processed once by the services that take it: the evidence pack holds a fact
    of each event it keeps and no other; every review output needing corrective action, every
    complaint and every cause of nonconforming outputs raised as one opened its nonconformity;
    every target that follows a statistic holds its value."""
    deadline = time.monotonic() + timeout
    while True:
        truth = consumers_truth(stack)
        processed, facts = consumers_state(stack)
        unprocessed = {c: truth["processed"][c] - processed[c] for c in CONSUMERS}
        complete = (
            not any(unprocessed.values())
            and facts == truth["facts"]
            and truth["review_outputs"] == truth["opened_from_reviews"]
            and truth["raised_complaints"] == truth["opened_from_complaints"]
            and truth["raised_causes"] == truth["opened_from_causes"]
            and truth["indicators"] == truth["recorded_indicators"]
        )
        if complete or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert not any(unprocessed.values()), f"events not processed: {unprocessed}"
    assert facts == truth["facts"], (
        f"evidence facts missing {truth['facts'] - facts}, extra {facts - truth['facts']}"
    )
    assert truth["review_outputs"] == truth["opened_from_reviews"]
    assert truth["raised_complaints"] == truth["opened_from_complaints"]
    assert truth["raised_causes"] == truth["opened_from_causes"]
    assert truth["indicators"] == truth["recorded_indicators"], "targets differ from statistics"


def new_id() -> str:
    return str(uuid.uuid4())
