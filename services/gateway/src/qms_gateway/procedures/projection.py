"""How each procedures contract changes the wing's read model (the version guard is the frame's)."""

import json
import uuid
from typing import Any

from qms_contracts import Envelope
from qms_contracts import procedures as contract
from qms_gateway.frame.reviewed import insert_row, review_handlers, update_row
from qms_gateway.frame.search import fold
from qms_gateway.procedures.readmodel import (
    CALENDAR,
    CAUSE_RAISES,
    DOSSIERS,
    FEEDBACK,
    OUTPUTS,
    RATINGS,
    TABLES,
    VERSIONS,
)
from qms_runtime.clock import TIMEZONE
from qms_runtime.projection import Projection, ProjectionDb


def _json(items: list[Any]) -> str:
    return json.dumps([item.model_dump(mode="json") for item in items], ensure_ascii=False)


async def drafted(c: ProjectionDb, e: Envelope, p: contract.ProcedureVersionDrafted) -> None:
    await insert_row(
        c,
        VERSIONS,
        e,
        unit_id=p.unit_id,
        procedure_id=uuid.UUID(p.procedure_id),
        code=p.code,
        number=p.number,
        title=f"{p.code} {p.name} (lần {p.number})",
        name=p.name,
        scope=p.scope,
        steps=_json(p.steps),
        forms=_json(p.forms),
        review_on=p.review_on,
        status="draft",
        search=fold(f"{p.code} {p.name} {p.scope}"),
    )


async def revised(c: ProjectionDb, e: Envelope, p: contract.ProcedureVersionRevised) -> None:
    await c.execute(
        f"UPDATE {VERSIONS} SET version=$2, updated_at=$3, name=$4, scope=$5, steps=$6, "
        "forms=$7, review_on=$8, status='draft', title=code || ' ' || $4 || ' (lần ' || number "
        "|| ')', search=lower(code) || ' ' || $9 WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.name,
        p.scope,
        _json(p.steps),
        _json(p.forms),
        p.review_on,
        fold(f"{p.name} {p.scope}"),
    )


async def published(c: ProjectionDb, e: Envelope, p: contract.ProcedurePublished) -> None:
    await update_row(
        c,
        VERSIONS,
        e,
        status="published",
        published_on=p.published_on,
        departments=p.departments,
    )


async def obsoleted(c: ProjectionDb, e: Envelope, p: contract.ProcedureObsoleted) -> None:
    await update_row(c, VERSIONS, e, status="obsolete", replaced_by=uuid.UUID(p.replaced_by))


async def acknowledged(c: ProjectionDb, e: Envelope, p: contract.ProcedureReadAcknowledged) -> None:
    await c.execute(
        f"UPDATE {VERSIONS} SET version=$2, updated_at=$3, "
        "acknowledged = acknowledged || jsonb_build_object($4::text, $5::text) WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.department_id,
        p.acknowledged_by,
    )


async def periodic_review(
    c: ProjectionDb, e: Envelope, p: contract.ProcedurePeriodicReviewRecorded
) -> None:
    await update_row(c, VERSIONS, e, review_on=p.next_review_on)


async def calendar_day_set(c: ProjectionDb, e: Envelope, p: contract.WorkingCalendarDaySet) -> None:
    await c.execute(
        f"INSERT INTO {CALENDAR} (day, working, reason) VALUES ($1, $2, $3) "
        "ON CONFLICT (day) DO UPDATE SET working=EXCLUDED.working, reason=EXCLUDED.reason",
        p.day,
        p.working,
        p.reason,
    )


async def calendar_opened(c: ProjectionDb, e: Envelope, p: contract.WorkingCalendarOpened) -> None:
    """Nothing to show: only the calendar's version counts."""


async def calendar_day_cleared(
    c: ProjectionDb, e: Envelope, p: contract.WorkingCalendarDayCleared
) -> None:
    await c.execute(f"DELETE FROM {CALENDAR} WHERE day=$1", p.day)


async def filed(c: ProjectionDb, e: Envelope, p: contract.DossierFiled) -> None:
    first = p.steps[0]
    await insert_row(
        c,
        DOSSIERS,
        e,
        unit_id=p.unit_id,
        code=p.code,
        procedure_id=uuid.UUID(p.procedure_id),
        version_id=uuid.UUID(p.version_id),
        version_number=p.version_number,
        subject=p.subject,
        title=f"{p.code} {p.subject}",
        applicant_name=p.applicant_name,
        received_at=p.received_at,
        received_on=p.received_at.astimezone(TIMEZONE).date(),
        steps=_json(p.steps),
        step_department=first.department_id,
        step_role=first.role,
        step_due_on=first.due_on,
        due_on=p.due_on,
        status="processing",
        filed_by=p.filed_by,
        search=fold(f"{p.code} {p.subject} {p.applicant_name}"),
    )


def _at(step: str) -> str:
    """SET clauses putting the dossier at the step the SQL expression `step` names."""
    return (
        f"current_step={step}, step_department=steps->({step})->>'department_id', "
        f"step_role=steps->({step})->>'role', step_due_on=(steps->({step})->>'due_on')::date"
    )


async def step_completed(c: ProjectionDb, e: Envelope, p: contract.DossierStepCompleted) -> None:
    # The next step, or the last one again once the last is done (the dossier completes).
    following = "least($4 + 1, jsonb_array_length(steps) - 1)"
    await c.execute(
        f"UPDATE {DOSSIERS} SET version=$2, updated_at=$3, {_at(following)}, "
        "steps=jsonb_set(steps, ARRAY[$4::text], steps->$4 || $5::jsonb) WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.step,
        json.dumps({"done_on": p.done_on.isoformat(), "outcome": p.outcome}),
    )


async def returned(c: ProjectionDb, e: Envelope, p: contract.DossierReturned) -> None:
    await c.execute(
        f"UPDATE {DOSSIERS} SET version=$2, updated_at=$3, {_at('$4::int')} WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.to_step,
    )


async def supplement_requested(
    c: ProjectionDb, e: Envelope, p: contract.DossierSupplementRequested
) -> None:
    await c.execute(
        f"UPDATE {DOSSIERS} SET version=$2, updated_at=$3, status='supplement_requested', "
        "supplement_requests=supplement_requests + 1 WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
    )


async def supplement_received(
    c: ProjectionDb, e: Envelope, p: contract.DossierSupplementReceived
) -> None:
    # The moved due dates replace the steps' dates; what was done stays.
    await c.execute(
        f"UPDATE {DOSSIERS} d SET version=$2, updated_at=$3, status='processing', due_on=$5, "
        "steps=(SELECT jsonb_agg(old || jsonb_build_object('due_on', new->>'due_on') ORDER BY n) "
        "  FROM jsonb_array_elements(d.steps) WITH ORDINALITY AS o(old, n) "
        "  JOIN jsonb_array_elements($4::jsonb) WITH ORDINALITY AS m(new, k) ON k = n), "
        "step_due_on=($4::jsonb->current_step->>'due_on')::date WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        _json(p.steps),
        p.due_on,
    )


async def due_date_extended(
    c: ProjectionDb, e: Envelope, p: contract.DossierDueDateExtended
) -> None:
    last = "jsonb_array_length(steps) - 1"
    await c.execute(
        f"UPDATE {DOSSIERS} SET version=$2, updated_at=$3, due_on=$4, extended=true, "
        f"steps=jsonb_set(steps, ARRAY[({last})::text, 'due_on'], to_jsonb($4::date::text)), "
        f"step_due_on=CASE WHEN current_step = {last} THEN $4 ELSE step_due_on END WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.due_on,
    )


async def nonconforming(
    c: ProjectionDb, e: Envelope, p: contract.NonconformingOutputRecorded
) -> None:
    await c.execute(
        f"INSERT INTO {OUTPUTS} (dossier_id, version, unit_id, procedure_id, step, kind, cause, "
        "note, recorded_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        uuid.UUID(e.subject),
        e.aggregateversion,
        p.unit_id,
        uuid.UUID(p.procedure_id),
        p.step,
        p.kind,
        p.cause,
        p.note,
        e.time.astimezone(TIMEZONE).date(),
    )
    await update_row(c, DOSSIERS, e)


async def completed(c: ProjectionDb, e: Envelope, p: contract.DossierCompleted) -> None:
    await update_row(c, DOSSIERS, e, status="completed", outcome=p.outcome, done_on=p.done_on)


async def archived(c: ProjectionDb, e: Envelope, p: contract.DossierArchived) -> None:
    await update_row(c, DOSSIERS, e, status="archived")


async def feedback_received(c: ProjectionDb, e: Envelope, p: contract.FeedbackReceived) -> None:
    await insert_row(
        c,
        FEEDBACK,
        e,
        unit_id=p.unit_id,
        kind=p.kind,
        subject_kind=p.subject_kind,
        subject_ref=p.subject_ref,
        title=p.title,
        content=p.content,
        sender_name=p.sender_name,
        received_at=p.received_at,
        received_on=p.received_at.astimezone(TIMEZONE).date(),
        answer_due_on=p.answer_due_on,
        status="received",
        search=fold(f"{p.subject_ref} {p.title} {p.content}"),
    )


async def feedback_assigned(c: ProjectionDb, e: Envelope, p: contract.FeedbackAssigned) -> None:
    await update_row(c, FEEDBACK, e, status="assigned", department_id=p.department_id)


async def feedback_answered(c: ProjectionDb, e: Envelope, p: contract.FeedbackAnswered) -> None:
    await update_row(
        c,
        FEEDBACK,
        e,
        status="answered",
        answer=p.answer,
        answered_on=p.answered_on,
        outcome=p.outcome,
        published=p.published,
    )


async def answer_published(
    c: ProjectionDb, e: Envelope, p: contract.FeedbackAnswerPublished
) -> None:
    await update_row(c, FEEDBACK, e, published=True)


async def nonconformity_raised(
    c: ProjectionDb, e: Envelope, p: contract.ComplaintNonconformityRaised
) -> None:
    await update_row(c, FEEDBACK, e, nonconformity_raised=True)


async def rated(c: ProjectionDb, e: Envelope, p: contract.SatisfactionRated) -> None:
    await insert_row(
        c,
        RATINGS,
        e,
        unit_id=p.unit_id,
        dossier_id=uuid.UUID(p.dossier_id),
        procedure_id=uuid.UUID(p.procedure_id),
        level=p.level,
        comment=p.comment,
        rated_on=p.rated_at.astimezone(TIMEZONE).date(),
    )


async def cause_raised(c: ProjectionDb, e: Envelope, p: contract.CauseNonconformityRaised) -> None:
    await insert_row(
        c,
        CAUSE_RAISES,
        e,
        unit_id=p.unit_id,
        procedure_id=uuid.UUID(p.procedure_id),
        cause=p.cause,
        start_on=p.start,
        end_on=p.end,
        department_id=p.department_id,
        description=p.description,
        raised_by=p.raised_by,
    )


PROJECTION = Projection(
    name="procedures",
    tables=TABLES,
    handlers={
        contract.ProcedureVersionDrafted: drafted,
        contract.ProcedureVersionRevised: revised,
        **review_handlers(
            VERSIONS,
            contract.ProcedureVersionSubmitted,
            contract.ProcedureVersionReturned,
            contract.ProcedureVersionApproved,
        ),
        contract.ProcedurePublished: published,
        contract.ProcedureObsoleted: obsoleted,
        contract.ProcedureReadAcknowledged: acknowledged,
        contract.ProcedurePeriodicReviewRecorded: periodic_review,
        contract.WorkingCalendarOpened: calendar_opened,
        contract.WorkingCalendarDaySet: calendar_day_set,
        contract.WorkingCalendarDayCleared: calendar_day_cleared,
        contract.DossierFiled: filed,
        contract.DossierStepCompleted: step_completed,
        contract.DossierReturned: returned,
        contract.DossierSupplementRequested: supplement_requested,
        contract.DossierSupplementReceived: supplement_received,
        contract.DossierDueDateExtended: due_date_extended,
        contract.NonconformingOutputRecorded: nonconforming,
        contract.DossierCompleted: completed,
        contract.DossierArchived: archived,
        contract.FeedbackReceived: feedback_received,
        contract.FeedbackAssigned: feedback_assigned,
        contract.FeedbackAnswered: feedback_answered,
        contract.FeedbackAnswerPublished: answer_published,
        contract.ComplaintNonconformityRaised: nonconformity_raised,
        contract.SatisfactionRated: rated,
        contract.CauseNonconformityRaised: cause_raised,
    },
)
