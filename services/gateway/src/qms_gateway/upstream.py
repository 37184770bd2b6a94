"""Calls from the gateway to the owning services: command forwarding and event feeds."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import yarl

from qms_contracts import Envelope
from qms_contracts.envelope import from_structured
from qms_runtime.auth import DevIssuer
from qms_runtime.errors import UpstreamUnavailable

FEED_PAGE = 1000


class ServiceCredentials:
    """The gateway's own bearer token for event feeds: configured, or minted by the dev issuer."""

    def __init__(self, token: str, dev_issuer: DevIssuer | None) -> None:
        self._token = token
        self._dev_issuer = dev_issuer

    def token(self) -> str:
        if self._dev_issuer is not None and not self._token:
            return self._dev_issuer.issue(
                "svc-gateway", "Gateway", ["*"], ["service"], lifetime_seconds=300
            )
        return self._token


def _check(service: str, response: httpx.Response) -> None:
    if response.status_code >= 500:
        raise UpstreamUnavailable(f"Dịch vụ {service} trả lỗi {response.status_code}")
    response.raise_for_status()


@dataclass(frozen=True)
class Reply:
    """An owning service's answer to a forwarded request."""

    status_code: int
    content: bytes
    content_type: str
    #: A download's file name, as the service gave it.
    disposition: str = ""

    def json(self) -> Any:
        return json.loads(self.content)


class Upstream:
    def __init__(self, services: dict[str, str], credentials: ServiceCredentials) -> None:
        self.services = services
        self._credentials = credentials
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(15, connect=3))
        # Commands go through aiohttp: on this path httpx cost half the gateway's CPU.
        self._commands: aiohttp.ClientSession | None = None

    def service_token(self) -> str:
        """The gateway's own bearer token: for feeds, and for what citizens send unsigned."""
        return self._credentials.token()

    def url(self, service: str, path: str) -> str:
        return self.services[service].rstrip("/") + path

    async def forward(
        self, service: str, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> Reply:
        """`path` is sent as given, percent-encoding and all."""
        if self._commands is None:
            self._commands = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=15, connect=3)
            )
        url = yarl.URL(self.url(service, path), encoded=True)
        try:
            async with self._commands.request(method, url, data=body, headers=headers) as reply:
                return Reply(
                    reply.status,
                    await reply.read(),
                    reply.content_type,
                    reply.headers.get("content-disposition", ""),
                )
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamUnavailable(f"Dịch vụ {service} không phản hồi: {error}") from None

    async def missing_events(
        self, service: str, aggregate_id: uuid.UUID, after_version: int
    ) -> list[tuple[Envelope, dict[str, Any]]]:
        """Every event of the aggregate after `after_version`, paging through the feed."""
        events: list[tuple[Envelope, dict[str, Any]]] = []
        while True:
            response = await self.client.get(
                self.url(service, f"/api/v1/feed/{aggregate_id}"),
                params={"after_version": after_version, "limit": FEED_PAGE},
                headers={"authorization": f"Bearer {self.service_token()}"},
            )
            _check(service, response)
            page = [from_structured(document) for document in response.json()]
            events += page
            if len(page) < FEED_PAGE:
                return events
            after_version = page[-1][0].aggregateversion

    async def all_events(
        self, service: str, after: int, limit: int
    ) -> tuple[list[tuple[Envelope, dict[str, Any]]], int]:
        response = await self.client.get(
            self.url(service, "/api/v1/feed"),
            params={"after": after, "limit": limit},
            headers={"authorization": f"Bearer {self.service_token()}"},
        )
        _check(service, response)
        body = response.json()
        return [from_structured(document) for document in body["events"]], int(body["next"])

    async def close(self) -> None:
        await self.client.aclose()
        if self._commands is not None:
            await self._commands.close()
