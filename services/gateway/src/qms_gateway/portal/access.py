"""Which unit and record a page shows, and to whom: one's own units, a supervisor's below."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import asyncpg

from qms_gateway.frame import directory
from qms_runtime.errors import Forbidden, NotFound
from qms_runtime.principal import Principal

PAGE_SIZE = 20


async def unit_in_view(pool: asyncpg.Pool, principal: Principal, requested: str | None) -> str:
    """The unit a list shows: the one asked for, if readable, else the person's own."""
    readable = await directory.readable_units(pool, principal)
    unit_id = (
        requested or min(principal.units & readable, default=None) or min(readable, default="")
    )
    if unit_id not in readable:
        raise Forbidden(f"Người dùng không được xem đơn vị {unit_id}")
    return unit_id


async def record_in_view(
    pool: asyncpg.Pool, principal: Principal, record: dict[str, Any] | None
) -> dict[str, Any]:
    if record is None:
        raise NotFound("Không tìm thấy hồ sơ")
    if record["unit_id"] not in await directory.readable_units(pool, principal):
        raise Forbidden(f"Người dùng không được xem hồ sơ của đơn vị {record['unit_id']}")
    return record


@dataclass(frozen=True)
class Paging:
    number: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def pages(self, total: int) -> int:
        return max(1, math.ceil(total / self.size))


def filters_query(filters: Mapping[str, object]) -> str:
    """The current filters as a query string, for page links (empty ones left out)."""
    return urlencode({key: value for key, value in filters.items() if value not in (None, "")})
