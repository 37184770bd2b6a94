"""What the objectives wing answers: the read-model rows as typed models."""

from typing import Literal

from pydantic import BaseModel


class ProgressView(BaseModel):
    value: float
    as_of: str
    note: str
    recorded_by: str
    #: The event that changed the target's statistic; None when a person recorded it.
    source_event_id: str | None = None


class IndicatorSourceView(BaseModel):
    """The statistic a target follows: its progress is recorded by itself."""

    kind: Literal["dossiers_on_time", "satisfaction"]
    procedure_id: str | None = None


class TargetView(BaseModel):
    target_id: str
    statement: str
    indicator: str
    target_value: float
    unit_of_measure: str
    direction: Literal["at_least", "at_most"]
    deadline: str
    department_id: str
    action_plan: str
    source: IndicatorSourceView | None = None
    progress: list[ProgressView]


class ResultView(BaseModel):
    target_id: str
    achieved: bool
    last_value: float | None


class PublicObjectiveView(BaseModel):
    """An objective as the public portal shows it."""

    id: str
    unit_id: str
    year: int
    title: str
    status: str
    version: int
    targets: list[TargetView]
    department_ids: list[str]
    achieved: bool | None = None
    results: list[ResultView]
    evaluation_note: str
    updated_at: str


class ObjectiveView(PublicObjectiveView):
    """An objective as staff of its unit see it."""

    submitted_by: str | None = None
    return_reason: str | None = None


class PublicDocumentView(BaseModel):
    """A policy or context version as the public portal shows it."""

    id: str
    unit_id: str
    kind: Literal["policy", "context"]
    version_number: int
    title: str
    content: str
    status: str
    version: int
    updated_at: str


class DocumentView(PublicDocumentView):
    submitted_by: str | None = None
    return_reason: str | None = None
