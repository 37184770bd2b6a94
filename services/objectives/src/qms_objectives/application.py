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
class CommandResult:
    id: uuid.UUID
    version: int


class ObjectivesApplication(QmsApplication):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(_DataclassAsDict(TargetSpec, "target_spec"))
        transcoder.register(_DataclassAsDict(TargetResult, "target_result"))

    # Quality objectives

    def draft_objective(
        self,
        who: Principal,
        *,
        unit_id: str,
        year: int,
        title: str,
        targets: tuple[TargetSpec, ...],
        correlation_id: str,
    ) -> CommandResult:
        who.require(unit_id, SECRETARY)
        objective = Objective.draft(
            unit_id=unit_id,
            year=year,
            title=title,
            targets=targets,
            by=who.sub,
            correlation_id=correlation_id,
        )
        self.save_or_conflict(objective)
        return CommandResult(objective.id, objective.version)

    def _objective(
        self, who: Principal, objective_id: uuid.UUID, expected: int | None
    ) -> Objective:
        objective = self.load(Objective, objective_id)
        if not who.can_act_in(objective.unit_id):
            raise Forbidden(f"Người dùng không thuộc đơn vị {objective.unit_id}")
        check_version(objective, expected)
        return objective

    def _save(self, *aggregates: Any) -> CommandResult:
        self.save_or_conflict(*aggregates)
        return CommandResult(aggregates[0].id, aggregates[0].version)

    def revise_objective(
        self,
        who: Principal,
        objective_id: uuid.UUID,
        expected_version: int | None,
        *,
        title: str,
        targets: tuple[TargetSpec, ...],
        correlation_id: str,
    ) -> CommandResult:
        objective = self._objective(who, objective_id, expected_version)
        who.require(objective.unit_id, SECRETARY)
        objective.revise(title=title, targets=targets, by=who.sub, correlation_id=correlation_id)
        return self._save(objective)

    def submit_objective(
        self,
        who: Principal,
        objective_id: uuid.UUID,
        expected_version: int | None,
        correlation_id: str,
    ) -> CommandResult:
        objective = self._objective(who, objective_id, expected_version)
        who.require(objective.unit_id, SECRETARY)
        objective.submit(by=who.sub, correlation_id=correlation_id)
        return self._save(objective)

    def approve_objective(
        self,
        who: Principal,
        objective_id: uuid.UUID,
        expected_version: int | None,
        correlation_id: str,
    ) -> CommandResult:
        objective = self._objective(who, objective_id, expected_version)
        who.require(objective.unit_id, LEADER)
        objective.approve(by=who.sub, correlation_id=correlation_id)
        return self._save(objective)

    def return_objective(
        self,
        who: Principal,
        objective_id: uuid.UUID,
        expected_version: int | None,
        reason: str,
        correlation_id: str,
    ) -> CommandResult:
        objective = self._objective(who, objective_id, expected_version)
        who.require(objective.unit_id, LEADER)
        objective.return_for_revision(reason=reason, by=who.sub, correlation_id=correlation_id)
        return self._save(objective)

    def disseminate_objective(
        self,
        who: Principal,
        objective_id: uuid.UUID,
        expected_version: int | None,
        department_ids: tuple[str, ...],
        correlation_id: str,
    ) -> CommandResult:
        objective = self._objective(who, objective_id, expected_version)
        who.require(objective.unit_id, SECRETARY)
        objective.disseminate(
            department_ids=department_ids, by=who.sub, correlation_id=correlation_id
        )
        return self._save(objective)

    def record_progress(
        self,
        who: Principal,
        objective_id: uuid.UUID,
        expected_version: int | None,
        *,
        target_id: str,
        value: float,
        as_of: date,
        note: str,
        correlation_id: str,
    ) -> CommandResult:
        objective = self._objective(who, objective_id, expected_version)
        who.require(objective.unit_id, SECRETARY, DEPARTMENT_LEADER)
        target = objective.target(target_id)
        if SECRETARY not in who.roles and who.department_id != target.department_id:
            raise Forbidden("Chỉ lãnh đạo phòng chịu trách nhiệm chỉ tiêu được cập nhật tiến độ")
        objective.record_progress(
            target_id=target_id,
            value=value,
            as_of=as_of,
            note=note,
            by=who.sub,
            correlation_id=correlation_id,
        )
        return self._save(objective)

    def evaluate_objective(
        self,
        who: Principal,
        objective_id: uuid.UUID,
        expected_version: int | None,
        *,
        overrides: dict[str, bool],
        note: str,
        correlation_id: str,
    ) -> CommandResult:
        objective = self._objective(who, objective_id, expected_version)
        who.require(objective.unit_id, SECRETARY, LEADER)
        objective.evaluate(
            overrides=overrides, note=note, by=who.sub, correlation_id=correlation_id
        )
        return self._save(objective)

    def get_objective(self, who: Principal, objective_id: uuid.UUID) -> Objective:
        return self._objective(who, objective_id, None)

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
        self,
        who: Principal,
        *,
        unit_id: str,
        kind: DocumentKind,
        title: str,
        content: str,
        correlation_id: str,
    ) -> CommandResult:
        who.require(unit_id, SECRETARY)
        register = self._register(unit_id, kind)
        document = QualityDocument.draft(
            unit_id=unit_id,
            kind=kind,
            version_number=register.next_version_number,
            title=title,
            content=content,
            by=who.sub,
            correlation_id=correlation_id,
        )
        register.add_version(document.id)
        return self._save(document, register)

    def _document(
        self, who: Principal, kind: DocumentKind, document_id: uuid.UUID, expected: int | None
    ) -> QualityDocument:
        document = self.load(QualityDocument, document_id)
        if document.kind != kind:
            raise NotFound(f"Không tìm thấy {document_id}")
        if not who.can_act_in(document.unit_id):
            raise Forbidden(f"Người dùng không thuộc đơn vị {document.unit_id}")
        check_version(document, expected)
        return document

    def revise_document(
        self,
        who: Principal,
        kind: DocumentKind,
        document_id: uuid.UUID,
        expected_version: int | None,
        *,
        title: str,
        content: str,
        correlation_id: str,
    ) -> CommandResult:
        document = self._document(who, kind, document_id, expected_version)
        who.require(document.unit_id, SECRETARY)
        document.revise(title=title, content=content, by=who.sub, correlation_id=correlation_id)
        return self._save(document)

    def submit_document(
        self,
        who: Principal,
        kind: DocumentKind,
        document_id: uuid.UUID,
        expected_version: int | None,
        correlation_id: str,
    ) -> CommandResult:
        document = self._document(who, kind, document_id, expected_version)
        who.require(document.unit_id, SECRETARY)
        document.submit(by=who.sub, correlation_id=correlation_id)
        return self._save(document)

    def approve_document(
        self,
        who: Principal,
        kind: DocumentKind,
        document_id: uuid.UUID,
        expected_version: int | None,
        correlation_id: str,
    ) -> CommandResult:
        document = self._document(who, kind, document_id, expected_version)
        who.require(document.unit_id, LEADER)
        document.approve(by=who.sub, correlation_id=correlation_id)
        return self._save(document)

    def return_document(
        self,
        who: Principal,
        kind: DocumentKind,
        document_id: uuid.UUID,
        expected_version: int | None,
        reason: str,
        correlation_id: str,
    ) -> CommandResult:
        document = self._document(who, kind, document_id, expected_version)
        who.require(document.unit_id, LEADER)
        document.return_for_revision(reason=reason, by=who.sub, correlation_id=correlation_id)
        return self._save(document)

    def publish_document(
        self,
        who: Principal,
        kind: DocumentKind,
        document_id: uuid.UUID,
        expected_version: int | None,
        correlation_id: str,
    ) -> CommandResult:
        document = self._document(who, kind, document_id, expected_version)
        who.require(document.unit_id, SECRETARY)
        register = self._register(document.unit_id, kind)
        previous = (
            self.load(QualityDocument, register.in_force) if register.in_force is not None else None
        )
        document.publish(
            supersedes=previous.id if previous else None, by=who.sub, correlation_id=correlation_id
        )
        register.put_in_force(document.id)
        if previous is None:
            return self._save(document, register)
        previous.supersede(superseded_by=document.id, by=who.sub, correlation_id=correlation_id)
        return self._save(document, register, previous)

    def get_document(
        self, who: Principal, kind: DocumentKind, document_id: uuid.UUID
    ) -> QualityDocument:
        return self._document(who, kind, document_id, None)
