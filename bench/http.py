"""A small HTTP/1.1 client over asyncio streams, for the load generator and hostile input.

Why not httpx: the load generator shares two cores with the system it measures, so its own
cost per request must stay small (httpx spends about a millisecond of CPU per request), and
hostile requests need bytes no well-behaved client sends (control characters in headers,
NUL in the request target, a body that is not UTF-8).
"""

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

READ_LIMIT = 1 << 20
IDLE_SECONDS = 2.0  # below uvicorn's keep-alive timeout (5 s): never reuse a closing socket


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    last_used: float = field(default_factory=time.monotonic)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class _NothingReceived(Exception):
    """The server closed a kept-alive connection before answering: safe to send again."""


def _host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 80


def _head(method: str, target: str, host: str, headers: dict[str, str], length: int) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"host: {host}", f"content-length: {length}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    """One response; returns it and whether the connection may be kept."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            raise _NothingReceived from None
        raise
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(part[:-2] for part in parts)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        body, keep = await reader.read(), False
    return Reply(status, headers, body), keep


class HttpPool:
    """Keep-alive connections to one server, opened as needed (open loop: no queueing)."""

    def __init__(self, url: str, max_connections: int = 512) -> None:
        self.host, self.port = _host_port(url)
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def _take(self) -> tuple[_Connection, bool]:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if now - connection.last_used < IDLE_SECONDS:
                return connection, True
            connection.close()
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=READ_LIMIT)
        return _Connection(reader, writer), False

    async def request(
        self,
        method: str,
        target: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        message = _head(method, target, self.host, headers or {}, len(body)) + body
        async with self._slots:
            for _ in range(3):
                connection, reused = await self._take()
                try:
                    connection.writer.write(message)
                    await connection.writer.drain()
                    reply, keep = await _read_reply(connection.reader)
                except _NothingReceived:
                    connection.close()
                    if reused:
                        continue
                    raise ConnectionError("connection closed without an answer") from None
                except BaseException:
                    connection.close()
                    raise
                if keep:
                    connection.last_used = time.monotonic()
                    self._idle.append(connection)
                else:
                    connection.close()
                return reply
            raise ConnectionError("connection closed without an answer")

    async def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


async def raw_exchange(url: str, message: bytes, wait_s: float = 30) -> tuple[int | None, int]:
    """Send bytes exactly as given on a fresh connection; the answer's status (or None) and
    the length its headers announce (0 if none).

    The server may answer early and close while the body is still being written (413 on an
    oversized body): the answer is read anyway.
    """
    host, port = _host_port(url)
    reader, writer = await asyncio.open_connection(host, port, limit=READ_LIMIT)
    try:
        writer.write(message)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), wait_s)
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            return None, 0
        status_line, *lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            return None, 0
        length = 0
        for line in lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length" and value.strip().isdigit():
                length = int(value.strip())
        return int(parts[1]), length
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
