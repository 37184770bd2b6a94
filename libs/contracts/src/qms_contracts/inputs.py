"""Base of every command body: strict, and only text that PostgreSQL and JSON can carry.

The owning service validates a body with these models and the gateway documents the same
models in its OpenAPI, so a client generated from either builds a valid command.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from qms_contracts.text import find_unstorable


class CommandInput(BaseModel):
    """A command's body: unknown fields are refused, text is trimmed and must be storable."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        problem = find_unstorable(data)
        if problem is not None:
            raise ValueError(problem)
        return data
