"""What the fault tests check at the end: every event in the gateway read model exactly once.

The truth is every service's event store, read through its event feed.
"""

import time
import uuid
from collections import Counter
from typing import Any

import httpx
import psycopg

from qms_local.stack import SERVICES, Stack
from qms_runtime.auth import DevIssuer
from qms_runtime.settings import postgres_params


def service_truth(stack: Stack, gateway: httpx.Client) -> tuple[dict[str, int], Counter[str]]:
    """Latest version per aggregate, and progress records per objective, from the event stores."""
    env = stack.common_env()
    issuer = DevIssuer(env["QMS_JWT_ISSUER"], "e-iso", env["QMS_DEV_SIGNING_KEY_FILE"])
    token = issuer.issue("svc-test", "Kiểm thử", ["*"], ["service"], lifetime_seconds=300)
    headers = {"authorization": f"Bearer {token}"}
    versions: dict[str, int] = {}
    progress: Counter[str] = Counter()
    for name in SERVICES:
        with httpx.Client(base_url=stack.service(name).url, headers=headers, timeout=30) as client:
            after = 0
            while True:
                page = client.get("/api/v1/feed", params={"after": after, "limit": 1000}).json()
                for event in page["events"]:
                    versions[event["subject"]] = event["aggregateversion"]
                    if event["type"].endswith("TargetProgressRecorded.v1"):
                        progress[event["subject"]] += 1
                if page["next"] == after:
                    break
                after = page["next"]
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
            "UNION ALL SELECT id, version, '[]'::jsonb FROM gateway.nonconformities"
        ).fetchall()
    versions = {str(row[0]): row[1] for row in rows}
    progress: Counter[str] = Counter()
    for row in rows:
        count = sum(len(target.get("progress", [])) for target in row[2])
        if count:
            progress[str(row[0])] = count
    return versions, progress


def assert_read_model_complete(stack: Stack, gateway: httpx.Client, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    truth: Any = None
    seen: Any = None
    while time.monotonic() < deadline:
        truth, seen = service_truth(stack, gateway), read_model(stack)
        if truth == seen:
            return
        time.sleep(0.5)
    missing = {k: v for k, v in truth[0].items() if seen[0].get(k) != v}
    raise AssertionError(
        f"read model differs from the event store: {missing}; progress {truth[1]} vs {seen[1]}"
    )


def new_id() -> str:
    return str(uuid.uuid4())
