"""The HTTP side of the command kernel, once for every service: context, expected version, reply.

The expected version comes from `If-Match` ("3" or W/"3"); a body may repeat it as
`expected_version`, and the two must then agree (never one silently winning).
"""

import inspect
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from litestar import Response
from litestar.di import Provide
from litestar.params import HeaderParameter, Parameter

from qms_contracts.inputs import UNIT_ID_PATTERN, CommandReply
from qms_runtime.commands import CommandContext, CommandResult
from qms_runtime.errors import InvalidInput
from qms_runtime.principal import Principal

#: The unit's dossier-code prefix, which the gateway adds from its unit directory.
UNIT_PREFIX_HEADER = "QMS-Unit-Prefix"
#: The network address of an anonymous sender, which the gateway (role `service`) passes on.
CLIENT_ADDRESS_HEADER = "QMS-Client-Address"

UnitId = Annotated[str, Parameter(pattern=UNIT_ID_PATTERN, description="Mã đơn vị")]
#: A file by its content (form files), and the name it is given.
Sha256 = Annotated[str, Parameter(pattern=r"^[0-9a-f]{64}$", description="SHA-256 của tệp")]
FileName = Annotated[str, Parameter(min_length=1, max_length=200, description="Tên tệp")]

_VERSION = re.compile(r'^(?:W/)?"?([1-9][0-9]{0,8})"?$')
#: What a correlation id may be: printable ASCII, at most 100 characters.
CORRELATION_ID = re.compile(r"^[!-~]{1,100}$")


def provide_expected(
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            required=False,
            description='Phiên bản đã xem ("3"); khác phiên bản hiện tại thì trả 409.',
        ),
    ] = None,
) -> int | None:
    if if_match is None:
        return None
    match = _VERSION.match(if_match.strip())
    if match is None:
        raise InvalidInput('If-Match phải là số phiên bản, ví dụ "3"', field="If-Match")
    return int(match.group(1))


def provide_context(
    principal: Principal,
    correlation_id: Annotated[
        str | None,
        HeaderParameter(
            name="X-Correlation-Id",
            required=False,
            description="Mã tương quan của yêu cầu (ASCII in được, tối đa 100 ký tự).",
        ),
    ] = None,
) -> CommandContext:
    if correlation_id is not None and not CORRELATION_ID.match(correlation_id):
        raise InvalidInput(
            "X-Correlation-Id chỉ gồm ký tự ASCII in được, tối đa 100", field="X-Correlation-Id"
        )
    return CommandContext(principal, correlation_id or str(uuid.uuid4()))


#: Dependencies of every command route: `context` and `expected`.
COMMAND_DEPENDENCIES = {
    "context": Provide(provide_context, sync_to_thread=False),
    "expected": Provide(provide_expected, sync_to_thread=False),
}


def expected_version(header: int | None, body: int | None) -> int | None:
    """One expected version from `If-Match` and a body's `expected_version`."""
    if header is not None and body is not None and header != body:
        raise InvalidInput(
            "If-Match và expected_version khác nhau; hãy gửi một giá trị",
            field="expected_version",
        )
    return header if header is not None else body


def reply(result: CommandResult, status: int = 200) -> Response[CommandReply]:
    return Response(
        CommandReply(id=result.id, version=result.version),
        status_code=status,
        headers={"ETag": f'"{result.version}"'},
    )


def rename_parameter(handler: Callable[..., Any], old: str, new: str) -> Callable[..., Any]:
    """The same handler with parameter `old` called `new`.

    A shared route (the kit's submit) names its path parameter after the resource
    (`objective_id`, `policy_id`), so every OpenAPI document uses one name per resource.
    """
    signature = inspect.signature(handler)

    def renamed_sync(*args: Any, **kwargs: Any) -> Any:
        kwargs[old] = kwargs.pop(new)
        return handler(*args, **kwargs)

    async def renamed_async(*args: Any, **kwargs: Any) -> Any:
        kwargs[old] = kwargs.pop(new)
        return await handler(*args, **kwargs)

    renamed: Callable[..., Any] = (
        renamed_async if inspect.iscoroutinefunction(handler) else renamed_sync
    )
    renamed.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(name=new) if p.name == old else p for p in signature.parameters.values()
        ]
    )
    annotations = dict(handler.__annotations__)
    annotations[new] = annotations.pop(old)
    renamed.__annotations__ = annotations
    renamed.__name__, renamed.__qualname__ = handler.__name__, handler.__qualname__
    renamed.__module__ = handler.__module__
    return renamed
