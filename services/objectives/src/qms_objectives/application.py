"""The objectives application: commands (with authorisation) and queries over the event store."""

import logging
import uuid
from collections.abc import Sequence
from datetime import date

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from qms_objectives.domain import (
    INDICATOR_ACTOR,
    DocumentRegister,
    DocumentStamp,
    IndicatorSource,
    Objective,
    ProgressEntry,
    QualityDocument,
    TargetResult,
    TargetSpec,
)
from qms_objectives.indicator import Indicator, Observation
from qms_runtime.commands import CommandContext, CommandResult, Stamp
from qms_runtime.errors import TransientError, VersionConflict
from qms_runtime.principal import DEPARTMENT_LEADER, ISO_SECRETARY, UNIT_LEADER
from qms_runtime.review.application import ReviewSteps

log = logging.getLogger("qms.objectives")

#: A save that meets a concurrent change of an indicator (another event of the unit counted,
#: an objective disseminated) is done again on what is stored now, this often.
SAVE_ATTEMPTS = 20


class ObjectivesApplication(ReviewSteps):
    dataclass_types = (TargetSpec, TargetResult, DocumentStamp, IndicatorSource, ProgressEntry)
    # An indicator and a target that follows it take an event per dossier or rating: a
    # snapshot keeps loading them from replaying the whole year.
    snapshotting_intervals = {Indicator: 100, Objective: 100}

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
        """Each target that follows a statistic subscribes to its indicator in the same save,
        and records at once what the indicator counted so far."""
        for _ in range(SAVE_ATTEMPTS):
            objective = self.load_for(context, Objective, objective_id, expected, ISO_SECRETARY)
            objective.disseminate(department_ids=department_ids, stamp=objective.stamp(context))
            indicators = self._subscribe(objective, context.correlation_id)
            try:
                return self.save_result(objective, *indicators)
            except VersionConflict:
                continue  # an indicator counted an event meanwhile: again, on what it holds now
        raise VersionConflict("Số liệu của chỉ tiêu đang được cập nhật liên tục; hãy thử lại")

    def _subscribe(self, objective: Objective, correlation_id: str) -> list[Indicator]:
        indicators: dict[uuid.UUID, Indicator] = {}
        stamp = Stamp(INDICATOR_ACTOR, correlation_id, objective.unit_id)
        for target in objective.targets:
            if target.source is None:
                continue
            indicator = self._indicator(
                indicators, objective.unit_id, target.source, objective.year
            )
            indicator.subscribe(objective.id, target.target_id)
            if indicator.value is not None:
                assert indicator.as_of is not None and indicator.last_event_id is not None
                objective.record_indicator(
                    target_id=target.target_id,
                    value=indicator.value,
                    as_of=indicator.as_of,
                    source_event_id=indicator.last_event_id,
                    stamp=stamp,
                )
        return list(indicators.values())

    def _indicator(
        self, loaded: dict[uuid.UUID, Indicator], unit_id: str, source: IndicatorSource, year: int
    ) -> Indicator:
        """The indicator, from those this save already holds, the store, or opened now."""
        indicator_id = Indicator.id_for(unit_id, source, year)
        if indicator_id not in loaded:
            found = self.find(Indicator, indicator_id)
            loaded[indicator_id] = found or Indicator.open(unit_id, source, year)
        return loaded[indicator_id]

    # Indicators fed by other services' events

    def observe(
        self, event_id: str, observations: Sequence[Observation], correlation_id: str
    ) -> None:
        """Count what an event of another service observes (indicators.py) in each
        indicator it concerns, and record each new value on the disseminated objectives whose
        targets follow that indicator: all in one save. An event counted before changes nothing;
        a concurrent change of the same indicator or objective makes it start again."""
        for _ in range(SAVE_ATTEMPTS):
            changed = self._observed(event_id, observations, correlation_id)
            if not changed:
                return
            try:
                self.save_or_conflict(*changed)
                return
            except VersionConflict:
                continue
        raise TransientError(f"indicators of event {event_id} kept meeting concurrent changes")

    def _observed(
        self, event_id: str, observations: Sequence[Observation], correlation_id: str
    ) -> list[Aggregate]:
        indicators: dict[uuid.UUID, Indicator] = {}
        counted: list[Indicator] = []
        for observation in observations:
            for source in observation.indicators():
                indicator = self._indicator(
                    indicators, observation.unit_id, source, observation.year
                )
                if indicator.count(
                    event_id, favourable=observation.favourable, day=observation.day
                ):
                    counted.append(indicator)
        if not counted:
            log.debug("event %s already counted", event_id)
        objectives: dict[uuid.UUID, Objective] = {}
        for indicator in counted:
            assert indicator.value is not None and indicator.as_of is not None
            for objective_id, target_id in indicator.subscribers:
                key = uuid.UUID(objective_id)
                if key not in objectives:
                    found = self.find(Objective, key)
                    if found is None:
                        continue
                    objectives[key] = found
                objective = objectives[key]
                objective.record_indicator(
                    target_id=target_id,
                    value=indicator.value,
                    as_of=indicator.as_of,
                    source_event_id=event_id,
                    stamp=Stamp(INDICATOR_ACTOR, correlation_id, objective.unit_id),
                )
        return [
            aggregate for aggregate in (*counted, *objectives.values()) if aggregate.pending_events
        ]

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
