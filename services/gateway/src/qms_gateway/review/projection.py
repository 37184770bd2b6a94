"""How each review contract changes the wing's read model (the version guard is the frame's)."""

import json
import uuid
from typing import Any

from qms_contracts import Envelope
from qms_contracts import review as contract
from qms_gateway.frame.reviewed import insert_row, review_handlers, update_row
from qms_gateway.frame.search import fold
from qms_gateway.review.readmodel import REVIEWS, TABLES
from qms_runtime.projection import Projection, ProjectionDb


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _notice(p: contract.ReviewNoticeDrafted | contract.ReviewNoticeRevised) -> dict[str, Any]:
    return {
        "title": p.title,
        "agenda": _json([item.model_dump(mode="json") for item in p.agenda]),
        "report_deadline": p.report_deadline,
        "meeting_date": p.meeting_date,
    }


async def drafted(c: ProjectionDb, e: Envelope, p: contract.ReviewNoticeDrafted) -> None:
    await insert_row(
        c,
        REVIEWS,
        e,
        unit_id=p.unit_id,
        year=p.year,
        round=p.round,
        status="draft",
        **_notice(p),
        search=fold(f"{p.title} {p.year}"),
    )


async def revised(c: ProjectionDb, e: Envelope, p: contract.ReviewNoticeRevised) -> None:
    await c.execute(
        f"UPDATE {REVIEWS} SET version=$2, updated_at=$3, status='draft', title=$4, agenda=$5, "
        "report_deadline=$6, meeting_date=$7, search=$8 || ' ' || year WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        *_notice(p).values(),
        fold(p.title),
    )


async def issued(c: ProjectionDb, e: Envelope, p: contract.ReviewNoticeIssued) -> None:
    await update_row(
        c,
        REVIEWS,
        e,
        status="issued",
        expected_reports=_json([owed.model_dump(mode="json") for owed in p.expected_reports]),
        report_deadline=p.report_deadline,
        issued_by=p.issued_by,
    )


async def report_submitted(
    c: ProjectionDb, e: Envelope, p: contract.DepartmentReportSubmitted
) -> None:
    report = {
        "department_id": p.department_id,
        "topic": p.topic,
        "content": p.content,
        "submitted_by": p.submitted_by,
        "submitted_at": e.time.isoformat(),
        "revised_by": None,
        "revised_at": None,
    }
    await c.execute(
        f"UPDATE {REVIEWS} SET version=$2, updated_at=$3, reports=reports || $4::jsonb WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        _json([report]),
    )


async def report_revised(c: ProjectionDb, e: Envelope, p: contract.DepartmentReportRevised) -> None:
    """The department's report on the item takes the new content; who first sent it stays."""
    revision = {"content": p.content, "revised_by": p.revised_by, "revised_at": e.time.isoformat()}
    await c.execute(
        f"UPDATE {REVIEWS} SET version=$2, updated_at=$3, reports=(SELECT jsonb_agg(CASE "
        "WHEN r->>'department_id' = $4 AND r->>'topic' = $5 THEN r || $6::jsonb ELSE r END "
        "ORDER BY n) FROM jsonb_array_elements(reports) WITH ORDINALITY AS x(r, n)) WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        p.department_id,
        p.topic,
        _json(revision),
    )


async def consolidated(c: ProjectionDb, e: Envelope, p: contract.ReviewConsolidated) -> None:
    await update_row(
        c,
        REVIEWS,
        e,
        status="consolidated",
        consolidation_summary=p.summary,
        consolidated_on=p.consolidated_on,
        consolidated_by=p.consolidated_by,
        missing_reports=_json([owed.model_dump(mode="json") for owed in p.missing_reports]),
    )


async def meeting_held(c: ProjectionDb, e: Envelope, p: contract.ReviewMeetingHeld) -> None:
    meeting = p.model_dump(
        mode="json", include={"held_on", "chair", "participants", "minutes", "recorded_by"}
    )
    await update_row(c, REVIEWS, e, status="meeting_held", meeting=_json(meeting))


#: Where an output's action stands: nowhere while drafted, open once concluded, then done and
#: verified (the steps fill the rest).
_PROGRESS = dict.fromkeys(
    ("status", "evidence", "completed_on", "completed_by", "verified_by", "note")
)


def _outputs(outputs: list[contract.ReviewOutput], concluded: bool) -> str:
    found = [output.model_dump(mode="json") for output in outputs]
    for output in found:
        if output["action"] is not None:
            output["action"] |= {**_PROGRESS, "status": "open" if concluded else None}
    return _json(found)


async def conclusion_drafted(
    c: ProjectionDb, e: Envelope, p: contract.ReviewConclusionDrafted
) -> None:
    await update_row(
        c,
        REVIEWS,
        e,
        status="conclusion_drafted",
        conclusion_summary=p.summary,
        outputs=_outputs(p.outputs, concluded=False),
        conclusion_drafted_by=p.drafted_by,
        conclusion_return_reason=None,
    )


async def conclusion_returned(
    c: ProjectionDb, e: Envelope, p: contract.ReviewConclusionReturned
) -> None:
    await update_row(c, REVIEWS, e, status="conclusion_returned", conclusion_return_reason=p.reason)


async def concluded(c: ProjectionDb, e: Envelope, p: contract.ReviewConcluded) -> None:
    await update_row(
        c,
        REVIEWS,
        e,
        status="concluded",
        conclusion_summary=p.summary,
        outputs=_outputs(p.outputs, concluded=True),
        concluded_by=p.concluded_by,
    )


async def _action(c: ProjectionDb, e: Envelope, output_id: str, progress: dict[str, Any]) -> None:
    """The output's action takes the step's facts."""
    await c.execute(
        f"UPDATE {REVIEWS} SET version=$2, updated_at=$3, outputs=(SELECT jsonb_agg(CASE "
        "WHEN o->>'output_id' = $4 THEN jsonb_set(o, '{action}', (o->'action') || $5::jsonb) "
        "ELSE o END ORDER BY n) FROM jsonb_array_elements(outputs) WITH ORDINALITY AS x(o, n)) "
        "WHERE id=$1",
        uuid.UUID(e.subject),
        e.aggregateversion,
        e.time,
        output_id,
        _json(progress),
    )


async def action_completed(c: ProjectionDb, e: Envelope, p: contract.ReviewActionCompleted) -> None:
    done = p.model_dump(mode="json", include={"evidence", "completed_on", "completed_by"})
    await _action(c, e, p.output_id, {**done, "status": "done"})


async def action_verified(c: ProjectionDb, e: Envelope, p: contract.ReviewActionVerified) -> None:
    verified = p.model_dump(mode="json", include={"note", "verified_by"})
    await _action(c, e, p.output_id, {**verified, "status": "verified"})


PROJECTION = Projection(
    name="review",
    tables=TABLES,
    handlers={
        contract.ReviewNoticeDrafted: drafted,
        contract.ReviewNoticeRevised: revised,
        **review_handlers(
            REVIEWS,
            contract.ReviewNoticeSubmitted,
            contract.ReviewNoticeReturned,
            contract.ReviewNoticeApproved,
        ),
        contract.ReviewNoticeIssued: issued,
        contract.DepartmentReportSubmitted: report_submitted,
        contract.DepartmentReportRevised: report_revised,
        contract.ReviewConsolidated: consolidated,
        contract.ReviewMeetingHeld: meeting_held,
        contract.ReviewConclusionDrafted: conclusion_drafted,
        contract.ReviewConclusionReturned: conclusion_returned,
        contract.ReviewConcluded: concluded,
        contract.ReviewActionCompleted: action_completed,
        contract.ReviewActionVerified: action_verified,
    },
)
