"""Base of every command body: strict, and only text that PostgreSQL and JSON can carry.

The owning service validates a body with these models and the gateway documents the same
models in its OpenAPI, so a client generated from either builds a valid command.
"""

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qms_contracts.text import find_unstorable


class CommandInput(BaseModel):
    """A command's body: unknown fields are refused, text is trimmed and must be storable."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        # Say in the schema what `extra="forbid"` does, so a generated client sends no more.
        json_schema_extra={"additionalProperties": False},
    )

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        problem = find_unstorable(data)
        if problem is not None:
            raise ValueError(problem)
        return data


#: A unit id as it appears in paths (`so-khcn`).
UNIT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"


class RevisionInput(CommandInput):
    """A body that may also say which version it revises (the same as `If-Match`)."""

    expected_version: int | None = Field(
        default=None,
        ge=1,
        description="Phiên bản đang sửa; nếu gửi cả If-Match thì hai giá trị phải bằng nhau.",
    )


class ReturnInput(RevisionInput):
    """Return a submitted record to its drafter."""

    reason: str = Field(min_length=1, max_length=2000, description="Lý do trả lại.")


class CommandReply(BaseModel):
    """What a command answers: the record it changed and that record's new version."""

    id: uuid.UUID
    version: int = Field(ge=1)
