"""The procedures wing: controlled procedures and their versions, internal dossiers on working
days, nonconforming outputs and the statistics they feed."""

import asyncpg

from qms_contracts.procedures import SERVICE
from qms_gateway.frame import directory
from qms_gateway.frame.wing import Panel, Wing
from qms_gateway.procedures import readmodel, tasks
from qms_gateway.procedures.actions import EVENT_LABELS
from qms_gateway.procedures.calendar_pages import CalendarPages
from qms_gateway.procedures.editor_pages import ProcedureEditorPages
from qms_gateway.procedures.feedback_pages import CitizenPages, FeedbackPages
from qms_gateway.procedures.feedback_routes import CitizensController, StaffFeedbackController
from qms_gateway.procedures.filing_pages import FilingPages
from qms_gateway.procedures.form_file_routes import FormFilesController
from qms_gateway.procedures.pages import DossierPages, ProcedurePages
from qms_gateway.procedures.print_pages import DossierPrints
from qms_gateway.procedures.projection import PROJECTION
from qms_gateway.procedures.routes import PublicController, StaffController
from qms_gateway.procedures.statistics_pages import StatisticsPages


async def public_panel(pool: asyncpg.Pool, unit_id: str) -> dict[str, object]:
    """The unit's procedures in force, with their steps, time limits and forms."""
    unit = await directory.unit(pool, unit_id) or {}
    return {
        "procedures": await readmodel.versions(pool, unit_id, statuses=["published"]),
        "departments": {d["department_id"]: d["name"] for d in unit.get("departments", [])},
    }


async def feedback_panel(pool: asyncpg.Pool, unit_id: str) -> dict[str, object]:
    """Where citizens send feedback and rate a result; the answers the unit made public."""
    return {"answers": await readmodel.published_answers(pool, unit_id, limit=10)}


WING = Wing(
    service=SERVICE,
    ddl=readmodel.DDL,
    projection=PROJECTION,
    routes=(
        StaffController,
        PublicController,
        StaffFeedbackController,
        CitizensController,
        FormFilesController,
    ),
    tasks=tasks.tasks,
    package=__name__,
    pages=(
        ProcedurePages,
        ProcedureEditorPages,
        DossierPages,
        FilingPages,
        StatisticsPages,
        CalendarPages,
        FeedbackPages,
        CitizenPages,
        DossierPrints,
    ),
    list_pages={
        "procedure_version": "/quy-trinh",
        "dossier": "/ho-so",
        "feedback": "/phan-anh",
    },
    event_labels=EVENT_LABELS,
    public_panels=(
        Panel("procedures/public_panel.html", public_panel),
        Panel("procedures/feedback_panel.html", feedback_panel),
    ),
    menu=(
        ("Quy trình", "/quy-trinh"),
        ("Hồ sơ", "/ho-so"),
        ("Thống kê hồ sơ", "/thong-ke-ho-so"),
        ("Lịch làm việc", "/lich-lam-viec"),
    ),
)
