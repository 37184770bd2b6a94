"""The objectives application: commands (with authorisation) and queries over the event store."""

import uuid
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import JSONTranscoder, Transcoding

from qms_objectives.domain import (
    DocumentKind,
    DocumentRegister,
    Objective,
    QualityDocument,
    ReviewedDraft,
    TargetResult,
    TargetSpec,
)
from qms_runtime.auth import Principal
from qms_runtime.errors import Forbidden, NotFound
from qms_runtime.eventstore import QmsApplication, check_version

SECRETARY, LEADER, DEPARTMENT_LEADER = "iso_secretary", "unit_leader", "department_leader"


class _DataclassAsDict(Transcoding):
    def __init__(self, kind: type[Any], name: str) -> None:
        self.type = kind
        self.name = name

    def encode(self, obj: Any) -> dict[str, Any]:
        return asdict(obj)

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


@dataclass(frozen=True)
class Caller:
    """Who sends a command, within which request (the correlation id of its events)."""

    who: Principal
    correlation_id: str

    @property
    def stamp(self) -> dict[str, str]:
        """The `by` and `correlation_id` every domain event records."""
        return {"by": self.who.sub, "correlation_id": self.correlation_id}


@dataclass(frozen=True)
class CommandResult:
    id: uuid.UUID
    version: int


#: What a review step acts on: an objective (None) or a document of one kind.
Reviewed = DocumentKind | None


class ObjectivesApplication(QmsApplication):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(_DataclassAsDict(TargetSpec, "target_spec"))
        transcoder.register(_DataclassAsDict(TargetResult, "target_result"))

    def _save(self, *aggregates: Any) -> CommandResult:
        self.save_or_conflict(*aggregates)
        return CommandResult(aggregates[0].id, aggregates[0].version)

    def _reviewed(
        self,
        call: Caller,
        what: Reviewed,
        aggregate_id: uuid.UUID,
        expected: int | None,
        *roles: str,
    ) -> Any:
        """Load for a command: 404, then 403 (unit, role), then 409 (stale version)."""
        kind = Objective if what is None else QualityDocument
        aggregate: Any = self.load(kind, aggregate_id)
        if what is not None and aggregate.kind != what:
            raise NotFound(f"Không tìm thấy {aggregate_id}")
        call.who.require(aggregate.unit_id, *roles)
        check_version(aggregate, expected)
        return aggregate

    def _objective(
        self, call: Caller, objective_id: uuid.UUID, expected: int | None, *roles: str
    ) -> Objective:
        objective: Objective = self._reviewed(call, None, objective_id, expected, *roles)
        return objective

    def _document(
        self,
        call: Caller,
        kind: DocumentKind,
        document_id: uuid.UUID,
        expected: int | None,
        *roles: str,
    ) -> QualityDocument:
        document: QualityDocument = self._reviewed(call, kind, document_id, expected, *roles)
        return document

    # Review steps shared by objectives and documents

    def submit(
        self, call: Caller, what: Reviewed, aggregate_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        draft: ReviewedDraft = self._reviewed(call, what, aggregate_id, expected, SECRETARY)
        draft.submit(**call.stamp)
        return self._save(draft)

    def approve(
        self, call: Caller, what: Reviewed, aggregate_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        draft: ReviewedDraft = self._reviewed(call, what, aggregate_id, expected, LEADER)
        draft.approve(**call.stamp)
        return self._save(draft)

    def return_for_revision(
        self,
        call: Caller,
        what: Reviewed,
        aggregate_id: uuid.UUID,
        expected: int | None,
        reason: str,
    ) -> CommandResult:
        draft: ReviewedDraft = self._reviewed(call, what, aggregate_id, expected, LEADER)
        draft.return_for_revision(reason=reason, **call.stamp)
        return self._save(draft)

    # Quality objectives

    def draft_objective(
        self,
        call: Caller,
        unit_id: str,
        *,
        year: int,
        title: str,
        targets: tuple[TargetSpec, ...],
    ) -> CommandResult:
        call.who.require(unit_id, SECRETARY)
        return self._save(
            Objective.draft(unit_id=unit_id, year=year, title=title, targets=targets, **call.stamp)
        )

    def revise_objective(
        self,
        call: Caller,
        objective_id: uuid.UUID,
        expected: int | None,
        *,
        title: str,
        targets: tuple[TargetSpec, ...],
    ) -> CommandResult:
        objective = self._objective(call, objective_id, expected, SECRETARY)
        objective.revise(title=title, targets=targets, **call.stamp)
        return self._save(objective)

    def disseminate_objective(
        self,
        call: Caller,
        objective_id: uuid.UUID,
        expected: int | None,
        department_ids: tuple[str, ...],
    ) -> CommandResult:
        objective = self._objective(call, objective_id, expected, SECRETARY)
        objective.disseminate(department_ids=department_ids, **call.stamp)
        return self._save(objective)

    def record_progress(
        self,
        call: Caller,
        objective_id: uuid.UUID,
        expected: int | None,
        *,
        target_id: str,
        value: float,
        as_of: date,
        note: str,
    ) -> CommandResult:
        objective = self._objective(call, objective_id, expected, SECRETARY, DEPARTMENT_LEADER)
        target = objective.target(target_id)
        if SECRETARY not in call.who.roles and call.who.department_id != target.department_id:
            raise Forbidden("Chỉ lãnh đạo phòng chịu trách nhiệm chỉ tiêu được cập nhật tiến độ")
        objective.record_progress(
            target_id=target_id, value=value, as_of=as_of, note=note, **call.stamp
        )
        return self._save(objective)

    def evaluate_objective(
        self,
        call: Caller,
        objective_id: uuid.UUID,
        expected: int | None,
        *,
        overrides: dict[str, bool],
        note: str,
    ) -> CommandResult:
        objective = self._objective(call, objective_id, expected, SECRETARY, LEADER)
        objective.evaluate(overrides=overrides, note=note, **call.stamp)
        return self._save(objective)

    def get_objective(self, who: Principal, objective_id: uuid.UUID) -> Objective:
        return self._objective(Caller(who, ""), objective_id, None)

    # Quality policy and organisational context

    def _register(self, unit_id: str, kind: DocumentKind) -> DocumentRegister:
        try:
            register: DocumentRegister = self.repository.get(
                DocumentRegister.create_id(unit_id, kind)
            )
        except AggregateNotFoundError:
            return DocumentRegister(unit_id=unit_id, kind=kind)
        return register

    def draft_document(
        self, call: Caller, unit_id: str, kind: DocumentKind, *, title: str, content: str
    ) -> CommandResult:
        call.who.require(unit_id, SECRETARY)
        register = self._register(unit_id, kind)
        document = QualityDocument.draft(
            unit_id=unit_id,
            kind=kind,
            version_number=register.next_version_number,
            title=title,
            content=content,
            **call.stamp,
        )
        register.add_version(document.id)
        return self._save(document, register)

    def revise_document(
        self,
        call: Caller,
        kind: DocumentKind,
        document_id: uuid.UUID,
        expected: int | None,
        *,
        title: str,
        content: str,
    ) -> CommandResult:
        document = self._document(call, kind, document_id, expected, SECRETARY)
        document.revise(title=title, content=content, **call.stamp)
        return self._save(document)

    def publish_document(
        self, call: Caller, kind: DocumentKind, document_id: uuid.UUID, expected: int | None
    ) -> CommandResult:
        """Put a version in force; the one in force before it is superseded, atomically."""
        document = self._document(call, kind, document_id, expected, SECRETARY)
        register = self._register(document.unit_id, kind)
        previous = (
            self.load(QualityDocument, register.in_force) if register.in_force is not None else None
        )
        document.publish(supersedes=previous.id if previous else None, **call.stamp)
        register.put_in_force(document.id)
        if previous is None:
            return self._save(document, register)
        previous.supersede(superseded_by=document.id, **call.stamp)
        return self._save(document, register, previous)

    def get_document(
        self, who: Principal, kind: DocumentKind, document_id: uuid.UUID
    ) -> QualityDocument:
        return self._document(Caller(who, ""), kind, document_id, None)
