"""Session fixtures: one real stack (PostgreSQL, the Kafka-protocol broker, every service).

PostgreSQL: QMS_TEST_DATABASE_URL, else the server on 127.0.0.1:5432 if one answers, else an
embedded one. Broker: QMS_TEST_KAFKA_BOOTSTRAP, else the development broker started here.
Each session gets a fresh database, dropped at the end.
"""

import contextlib
import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg
import pytest

from qms_local.stack import Stack, embedded_database, free_port, stop_embedded_database
from qms_runtime.settings import postgres_params

UNIT = "so-khcn"
DEMO_UNITS = Path(__file__).resolve().parents[1] / "deploy/local/src/qms_local/demo_units.json"


def _server_url(state: Path) -> tuple[str, Path | None]:
    given = os.environ.get("QMS_TEST_DATABASE_URL")
    if given:
        return given, None
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), 0.5):
        return "postgresql://postgres@127.0.0.1:5432/postgres", None
    data = state / "pg"
    return embedded_database(data), data


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    state = Path(tempfile.mkdtemp(prefix="qms-test-"))
    server_url, embedded = _server_url(state)
    database = f"qms_test_{uuid.uuid4().hex[:10]}"
    params = postgres_params(server_url)
    with psycopg.connect(**params, autocommit=True) as connection:  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{database}"')
    database_url = urlparse(server_url)._replace(path=f"/{database}").geturl()
    running = Stack(
        state_dir=state,
        database_url=database_url,
        kafka_bootstrap=os.environ.get("QMS_TEST_KAFKA_BOOTSTRAP", ""),
        gateway_port=free_port(),
        objectives_port=free_port(),
    )
    try:
        running.start_infrastructure()
        running.start_services()
        running.run_gateway_command("load-units", str(DEMO_UNITS))
        yield running
    finally:
        running.stop()
        with psycopg.connect(**params, autocommit=True) as connection:  # type: ignore[arg-type]
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if embedded is not None:
            stop_embedded_database(embedded)


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client


def token_for(
    client: httpx.Client,
    sub: str,
    roles: list[str],
    unit_id: str = UNIT,
    department_id: str | None = None,
) -> dict[str, str]:
    reply = client.post(
        "/auth/dev-token",
        json={
            "sub": sub,
            "name": sub,
            "unit_id": unit_id,
            "roles": roles,
            "department_id": department_id,
        },
    )
    reply.raise_for_status()
    return {"authorization": f"Bearer {reply.json()['access_token']}"}


@pytest.fixture(scope="session")
def secretary(gateway: httpx.Client) -> dict[str, str]:
    return token_for(gateway, "thuky", ["iso_secretary"], department_id="van-phong")


@pytest.fixture(scope="session")
def leader(gateway: httpx.Client) -> dict[str, str]:
    return token_for(gateway, "giamdoc", ["unit_leader"])


@pytest.fixture(scope="session")
def department_leader(gateway: httpx.Client) -> dict[str, str]:
    return token_for(
        gateway, "truongphong", ["department_leader"], department_id="quan-ly-khoa-hoc"
    )


def objective_body(title: str = "Giải quyết hồ sơ đúng hạn", year: int = 2026) -> dict[str, object]:
    return {
        "year": year,
        "title": title,
        "targets": [
            {
                "statement": "100% hồ sơ giải quyết đúng hạn",
                "indicator": "Tỷ lệ hồ sơ đúng hạn",
                "target_value": 100,
                "unit_of_measure": "%",
                "deadline": f"{year}-12-31",
                "department_id": "quan-ly-khoa-hoc",
                "action_plan": "Theo dõi hằng tuần trên iGate",
            },
            {
                "statement": "Tối đa 2 khiếu nại mỗi năm",
                "indicator": "Số khiếu nại",
                "target_value": 2,
                "unit_of_measure": "vụ",
                "direction": "at_most",
                "deadline": f"{year}-12-31",
                "department_id": "van-phong",
                "action_plan": "Tiếp nhận và phản hồi trong 3 ngày",
            },
        ],
    }
