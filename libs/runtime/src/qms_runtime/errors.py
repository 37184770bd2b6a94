"""Errors a command can end in; each maps to one HTTP status in problem details (RFC 9457).

Pure Python on purpose: domain modules raise these without importing any framework.
"""


class TransientError(Exception):
    """Something the work depends on is away (a database, an owning service): retry later.

    Event consumers retry these with backoff and never dead-letter the message for them.
    """


class QmsError(Exception):
    status = 400
    title = "Yêu cầu không hợp lệ"
    #: RFC 9457 `type`: lets a client tell apart two problems with the same status (409).
    type = "urn:qms:problem:bad-request"

    def __init__(self, detail: str, **extensions: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidInput(QmsError):
    status = 422
    title = "Dữ liệu không hợp lệ"
    type = "urn:qms:problem:invalid-input"


class NotAuthenticated(QmsError):
    status = 401
    title = "Chưa xác thực"
    type = "urn:qms:problem:not-authenticated"


class Forbidden(QmsError):
    status = 403
    title = "Không có quyền"
    type = "urn:qms:problem:forbidden"


class NotFound(QmsError):
    status = 404
    title = "Không tìm thấy"
    type = "urn:qms:problem:not-found"


class IllegalTransition(QmsError):
    """The command is not allowed in the aggregate's current state."""

    status = 409
    title = "Thao tác không hợp lệ ở trạng thái hiện tại"
    type = "urn:qms:problem:illegal-transition"


class VersionConflict(QmsError):
    """The caller's expected version is stale, or a concurrent change won."""

    status = 409
    title = "Dữ liệu đã bị thay đổi bởi người khác"
    type = "urn:qms:problem:version-conflict"


class TooManyRequests(QmsError):
    """A sender went over a limit (anonymous feedback per address and day)."""

    status = 429
    title = "Gửi quá số lần cho phép"
    type = "urn:qms:problem:too-many-requests"


class UpstreamUnavailable(QmsError, TransientError):
    status = 503
    title = "Dịch vụ tạm thời không sẵn sàng"
    type = "urn:qms:problem:upstream-unavailable"
