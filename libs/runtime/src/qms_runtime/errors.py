"""Errors a command can end in; each maps to one HTTP status in problem details (RFC 9457).

Pure Python on purpose: domain modules raise these without importing any framework.
"""


class QmsError(Exception):
    status = 400
    title = "Yêu cầu không hợp lệ"

    def __init__(self, detail: str, **extensions: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidInput(QmsError):
    status = 422
    title = "Dữ liệu không hợp lệ"


class NotAuthenticated(QmsError):
    status = 401
    title = "Chưa xác thực"


class Forbidden(QmsError):
    status = 403
    title = "Không có quyền"


class NotFound(QmsError):
    status = 404
    title = "Không tìm thấy"


class IllegalTransition(QmsError):
    """The command is not allowed in the aggregate's current state."""

    status = 409
    title = "Thao tác không hợp lệ ở trạng thái hiện tại"


class VersionConflict(QmsError):
    """The caller's expected version is stale, or a concurrent change won."""

    status = 409
    title = "Dữ liệu đã bị thay đổi bởi người khác"


class UpstreamUnavailable(QmsError):
    status = 503
    title = "Dịch vụ tạm thời không sẵn sàng"
