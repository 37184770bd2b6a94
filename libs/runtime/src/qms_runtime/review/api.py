"""The kit's routes: submit, approve and return for one reviewed-record class."""

import uuid
from collections.abc import Callable
from typing import Any

from litestar import Controller, Response, post

from qms_contracts.inputs import CommandReply, ReturnInput
from qms_runtime.command_routes import (
    COMMAND_DEPENDENCIES,
    expected_version,
    rename_parameter,
    reply,
)
from qms_runtime.commands import CommandContext, CommandResult
from qms_runtime.review.application import ReviewSteps
from qms_runtime.review.domain import ReviewedRecord


def review_controller(
    kind: type[ReviewedRecord], *, path: str, id_name: str, tag: str, operation: str
) -> type[Controller]:
    """Routes under `path` (e.g. /api/v1/objectives), the record's id named `id_name`.

    `operation` names the record in operation ids (`submit_objective`).
    """

    def without_body(step: Callable[..., CommandResult]) -> Callable[..., Response[CommandReply]]:
        """A handler for `ReviewSteps.submit` or `.approve`: they take no body."""

        def handler(
            self: Controller,
            record_id: uuid.UUID,
            context: CommandContext,
            expected: int | None,
            application: ReviewSteps,
        ) -> Response[CommandReply]:
            return reply(step(application, context, kind, record_id, expected))

        return handler

    def return_(
        self: Controller,
        record_id: uuid.UUID,
        data: ReturnInput,
        context: CommandContext,
        expected: int | None,
        application: ReviewSteps,
    ) -> Response[CommandReply]:
        version = expected_version(expected, data.expected_version)
        return reply(
            application.return_for_revision(context, kind, record_id, version, data.reason)
        )

    def route(step: str, handler: Any, summary: str) -> Any:
        return post(
            f"/{{{id_name}:uuid}}/{step}",
            status_code=200,
            sync_to_thread=True,
            operation_id=f"{step}_{operation}",
            summary=summary,
        )(rename_parameter(handler, "record_id", id_name))

    return type(
        f"{kind.__name__}ReviewController",
        (Controller,),
        {
            "path": path,
            "tags": [tag],
            "dependencies": COMMAND_DEPENDENCIES,
            "submit": route("submit", without_body(ReviewSteps.submit), f"Trình duyệt {kind.noun}"),
            "approve": route(
                "approve", without_body(ReviewSteps.approve), f"Phê duyệt {kind.noun}"
            ),
            "return_": route("return", return_, f"Trả lại {kind.noun} kèm lý do"),
        },
    )
