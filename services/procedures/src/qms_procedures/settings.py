"""The procedures service's own settings, from the QMS_* variables of its environment."""

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from qms_contracts.procedures import CAUSES


class ProceduresSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    rating_key: SecretStr = Field(
        min_length=16,
        description="QMS_RATING_KEY: the secret behind the rating codes printed on results and "
        "the digests of senders' addresses. Changing it voids the codes already printed.",
    )
    feedback_answer_days: int = Field(
        default=10, ge=1, le=60, description="Working days a unit has to answer feedback."
    )
    feedback_per_address_per_day: int = Field(
        default=5, ge=1, le=10_000, description="Feedback one network address may send a day."
    )
    nonconformity_causes: dict[str, str] = Field(
        default_factory=lambda: dict(CAUSES),
        min_length=1,
        description="QMS_NONCONFORMITY_CAUSES: a JSON object, cause code → its name; the "
        "gateway names causes with the same variable.",
    )

    @field_validator("nonconformity_causes", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ProceduresSettings":
        return cls.model_validate(
            {key.removeprefix("QMS_").lower(): value for key, value in env.items() if value}
        )
