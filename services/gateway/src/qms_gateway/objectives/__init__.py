"""The objectives wing: objectives, quality policy and organisational context."""

from qms_contracts.objectives import SERVICE
from qms_gateway.frame.wing import Wing
from qms_gateway.objectives import readmodel, tasks
from qms_gateway.objectives.projection import PROJECTION
from qms_gateway.objectives.routes import PublicController, StaffController

WING = Wing(
    service=SERVICE,
    ddl=readmodel.DDL,
    projection=PROJECTION,
    routes=(StaffController, PublicController),
    tasks=tasks.tasks,
)
