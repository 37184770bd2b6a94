"""The objectives application: commands (with authorisation) and queries over the event store."""

import uuid
from datetime import date

from eventsourcing.application import AggregateNotFoundError

from qms_objectives.domain import (
    DocumentRegister,
    DocumentStamp,
    Objective,
    QualityDocument,
    TargetResult,
    TargetSpec,
)
from qms_runtime.commands import CommandContext, CommandResult
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER
from qms_runtime.review.application import ReviewSteps


class ObjectivesApplication(ReviewSteps):
    dataclass_types = (TargetSpec, TargetResult, DocumentStamp)

    # Quality objectives

    def draft_objective(
        self,
        context: CommandContext,
        unit_id: str,
        *,
        year: int,
        title: str,
        targets: tuple[TargetSpec, ...],
    ) -> CommandResult:
        context.principal.require(unit_id, *Objective.drafter_roles)
        return self.save_result(
            Objective.draft(year=year, title=title, targets=targets, stamp=context.stamp(unit_id))
        )

    def revise_objective(
        self,
        context: CommandContext,
        objective_id: uuid.UUID,
        expected: int | None,
        *,
        title: str,
        targets: tuple[TargetSpec, ...],
    ) -> CommandResult:
        objective = self.load_for(context, Objective, objective_id, expected, ISO_SECRETARY)
        objective.revise(title=title, targets=targets, stamp=objective.stamp(context))
        return self.save_result(objective)

    def disseminate_objective(
        self,
        context: CommandContext,
        objective_id: uuid.UUID,
        expected: int | None,
        department_ids: tuple[str, ...],
    ) -> CommandResult:
        objective = self.load_for(context, Objective, objective_id, expected, ISO_SECRETARY)
        objective.disseminate(department_ids=department_ids, stamp=objective.stamp(context))
        return self.save_result(objective)

    def record_progress(
        self,
        context: CommandContext,
        objective_id: uuid.UUID,
        expected: int | None,
        *,
        target_id: str,
        value: float,
        as_of: date,
        note: str,
    ) -> CommandResult:
        objective = self.load_for(
            context, Objective, objective_id, expected, ISO_SECRETARY, DEPARTMENT_LEADER
        )
        target = objective.target(target_id)
        context.principal.require_department(target.department_id, "cập nhật tiến độ chỉ tiêu này")
        objective.record_progress(
            target_id=target_id,
            value=value,
            as_of=as_of,
            note=note,
            stamp=objective.stamp(context),
        )
        return self.save_result(objective)

    def evaluate_objective(
        self,
        context: CommandContext,
        objective_id: uuid.UUID,
        expected: int | None,
        *,
        overrides: dict[str, bool],
        note: str,
    ) -> CommandResult:
        objective = self.load_for(
            context, Objective, objective_id, expected, ISO_SECRETARY, UNIT_LEADER
        )
        objective.evaluate(overrides=overrides, note=note, stamp=objective.stamp(context))
        return self.save_result(objective)

    # Quality policy and organisational context

    def _register(self, unit_id: str, kind: type[QualityDocument]) -> DocumentRegister:
        try:
            register: DocumentRegister = self.repository.get(
                DocumentRegister.create_id(unit_id, kind.register_key)
            )
        except AggregateNotFoundError:
            return DocumentRegister(unit_id=unit_id, kind=kind.register_key)
        return register

    def draft_document(
        self,
        context: CommandContext,
        unit_id: str,
        kind: type[QualityDocument],
        *,
        title: str,
        content: str,
    ) -> CommandResult:
        context.principal.require(unit_id, *kind.drafter_roles)
        register = self._register(unit_id, kind)
        base = context.stamp(unit_id)
        number = register.next_version_number
        document = kind.draft(
            version_number=number,
            title=title,
            content=content,
            stamp=DocumentStamp(base.actor, base.correlation_id, unit_id, number),
        )
        register.add_version(document.id)
        return self.save_result(document, register)

    def revise_document(
        self,
        context: CommandContext,
        kind: type[QualityDocument],
        document_id: uuid.UUID,
        expected: int | None,
        *,
        title: str,
        content: str,
    ) -> CommandResult:
        document = self.load_for(context, kind, document_id, expected, *kind.drafter_roles)
        document.revise(title=title, content=content, stamp=document.stamp(context))
        return self.save_result(document)

    def publish_document(
        self,
        context: CommandContext,
        kind: type[QualityDocument],
        document_id: uuid.UUID,
        expected: int | None,
    ) -> CommandResult:
        """Put a version in force; the one in force before it is superseded, atomically."""
        document = self.load_for(context, kind, document_id, expected, *kind.drafter_roles)
        register = self._register(document.unit_id, kind)
        previous = self.load(kind, register.in_force) if register.in_force is not None else None
        document.publish(
            supersedes=previous.id if previous else None, stamp=document.stamp(context)
        )
        register.put_in_force(document.id)
        if previous is None:
            return self.save_result(document, register)
        previous.supersede(superseded_by=document.id, stamp=previous.stamp(context))
        return self.save_result(document, register, previous)
