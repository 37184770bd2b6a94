"""The files of a procedure's forms, kept in PostgreSQL large objects beside the event store
and addressed by their SHA-256: a version's form names its file by hash and size, so the same
file uploaded twice is kept once, and a file is never changed, only added."""

import hashlib
from typing import Any

import asyncpg

from qms_contracts.procedures import SERVICE

FILES = f"{SERVICE}.form_files"

DDL = f"""
CREATE TABLE IF NOT EXISTS {FILES} (
    sha256 text PRIMARY KEY,
    object oid NOT NULL,
    size bigint NOT NULL,
    media_type text NOT NULL,
    name text NOT NULL,
    unit_id text NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
"""

_COLUMNS = "sha256, size, media_type, name"


async def store(
    pool: asyncpg.Pool, content: bytes, *, media_type: str, name: str, unit_id: str, by: str
) -> dict[str, Any]:
    """The file kept (or the one already kept with the same content), as it is described."""
    digest = hashlib.sha256(content).hexdigest()
    async with pool.acquire() as connection, connection.transaction():
        # Two uploads of one file wait for each other, so neither leaves an orphan object.
        await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", digest)
        found = await connection.fetchrow(f"SELECT {_COLUMNS} FROM {FILES} WHERE sha256=$1", digest)
        if found is None:
            # The large object and its row commit together: a crash leaves neither.
            found = await connection.fetchrow(
                f"INSERT INTO {FILES} (sha256, object, size, media_type, name, unit_id, "
                "uploaded_by) VALUES ($1, lo_from_bytea(0, $2), $3, $4, $5, $6, $7) "
                f"RETURNING {_COLUMNS}",
                digest,
                content,
                len(content),
                media_type,
                name,
                unit_id,
                by,
            )
    assert found is not None
    return dict(found)


async def read(pool: asyncpg.Pool, sha256: str) -> tuple[dict[str, Any], bytes] | None:
    found = await pool.fetchrow(
        f"SELECT {_COLUMNS}, lo_get(object) AS content FROM {FILES} WHERE sha256=$1", sha256
    )
    if found is None:
        return None
    described = dict(found)
    return described, described.pop("content")
