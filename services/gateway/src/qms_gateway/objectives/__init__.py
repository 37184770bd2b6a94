"""The objectives wing: objectives, quality policy and organisational context."""

from collections.abc import Sequence

import asyncpg

from qms_contracts.objectives import SERVICE
from qms_gateway.frame.wing import Panel, SupervisionColumns, Wing
from qms_gateway.objectives import readmodel, tasks
from qms_gateway.objectives.actions import EVENT_LABELS
from qms_gateway.objectives.document_pages import (
    CONTEXT,
    POLICY,
    PublicPolicyPages,
    document_pages,
    public_panel,
)
from qms_gateway.objectives.pages import ObjectivePages
from qms_gateway.objectives.projection import PROJECTION
from qms_gateway.objectives.routes import PublicController, StaffController


async def yearly_status(
    pool: asyncpg.Pool, unit_ids: Sequence[str], year: int
) -> dict[str, list[str]]:
    found = await readmodel.yearly_status(pool, list(unit_ids), year)
    return {
        unit_id: [
            str(status["approved"]),
            str(status["disseminated"]),
            str(status["evaluated"]),
            f"Phiên bản {status['policy_version']}" if status["policy_version"] else "Chưa có",
        ]
        for unit_id, status in found.items()
    }


WING = Wing(
    service=SERVICE,
    ddl=readmodel.DDL,
    projection=PROJECTION,
    routes=(StaffController, PublicController),
    tasks=tasks.tasks,
    package=__name__,
    pages=(ObjectivePages, document_pages(POLICY), document_pages(CONTEXT), PublicPolicyPages),
    list_pages={"objective": "/muc-tieu", "policy": POLICY.path, "context": CONTEXT.path},
    event_labels=EVENT_LABELS,
    public_panels=(Panel("objectives/public_panel.html", public_panel),),
    supervision=SupervisionColumns(
        headers=(
            "Mục tiêu đã duyệt",
            "Mục tiêu đã phổ biến",
            "Mục tiêu đã đánh giá",
            "Chính sách chất lượng",
        ),
        load=yearly_status,
    ),
    menu=(("Mục tiêu", "/muc-tieu"), ("Chính sách", POLICY.path), ("Bối cảnh", CONTEXT.path)),
)
