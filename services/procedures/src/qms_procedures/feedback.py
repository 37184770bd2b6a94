"""Citizens' feedback and satisfaction (ISO 9001 8.2.1, 9.1.2). No I/O.

A complaint or suggestion (phản ánh, kiến nghị) sent from the public portal is assigned to a
department and answered within working days counted like a dossier's; the answer may be made
public. A complaint can raise a nonconformity that the audit service opens. A citizen rates a
completed dossier once, proving it with a secret printed on the result.

Sending is limited per network address and day by a `FeedbackQuota` saved with the feedback, so
two sends at once conflict and one retries. Only a SHA-256 digest of the address is kept.
"""

import base64
import hashlib
import hmac
import ipaddress
import re
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from qms_procedures.dossiers import ARCHIVED, COMPLETED, LATE, ON_TIME, Dossier
from qms_procedures.working_days import WorkingCalendar
from qms_runtime.clock import TIMEZONE
from qms_runtime.commands import Stamp
from qms_runtime.errors import IllegalTransition, InvalidInput, TooManyRequests
from qms_runtime.record import UnitRecord
from qms_runtime.review.domain import require_text

#: Namespace of the daily quotas: uuid5(FEEDBACK_QUOTAS, "<address digest>/<YYYY-MM-DD>").
FEEDBACK_QUOTAS = uuid.UUID("5a0f7c1e-3d64-5b8a-9e21-4c6d8b2f7a13")
#: Namespace of ratings: uuid5(SATISFACTION_RATINGS, "<dossier id>"), one per dossier.
SATISFACTION_RATINGS = uuid.UUID("c2e4a9d7-61b3-5f08-8d5a-0b7e3f9c1d46")

#: Who the events of an anonymous command name as their actor.
CITIZEN = "cong-dan"

COMPLAINT, SUGGESTION = "complaint", "suggestion"
KINDS = (COMPLAINT, SUGGESTION)
UNIT, PROCEDURE, DOSSIER = "unit", "procedure", "dossier"
SUBJECT_KINDS = (UNIT, PROCEDURE, DOSSIER)
RECEIVED, ASSIGNED, ANSWERED = "received", "assigned", "answered"

SATISFIED, ACCEPTABLE, NOT_SATISFIED = "satisfied", "acceptable", "not_satisfied"
LEVELS = (SATISFIED, ACCEPTABLE, NOT_SATISFIED)

MAX_TITLE = 500
MAX_TEXT = 5000
MAX_NAME = 300
MAX_COMMENT = 2000
#: Characters of the rating secret: 10 of base32 (A-Z, 2-7) are 50 bits, short to type.
SECRET_LENGTH = 10

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?\d{9,15}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def _limited(value: str, field: str, most: int) -> None:
    require_text(value, field)
    if len(value) > most:
        raise InvalidInput(f"Trường '{field}' dài quá {most} ký tự", field=field)


def _check_contact(contact: str) -> None:
    compact = _PHONE_SEPARATORS.sub("", contact)
    if not (_EMAIL.fullmatch(contact.strip()) or _PHONE.fullmatch(compact)):
        raise InvalidInput(
            "Nhập số điện thoại hoặc địa chỉ thư điện tử để nhận trả lời", field="sender_contact"
        )


def _vietnam_day(moment: datetime) -> date:
    return moment.astimezone(TIMEZONE).date()


class Feedback(UnitRecord):
    """A complaint or suggestion about the unit, one of its procedures or a dossier (by code).

    The sender's contact is kept for the answer and never published."""

    noun = "phản ánh, kiến nghị"

    if TYPE_CHECKING:
        Received: type[Aggregate.Event]
        Assigned: type[Aggregate.Event]
        Answered: type[Aggregate.Event]
        AnswerPublished: type[Aggregate.Event]
        NonconformityRaised: type[Aggregate.Event]

    @classmethod
    def receive(
        cls,
        *,
        kind: str,
        subject_kind: str,
        subject_ref: str,
        title: str,
        content: str,
        sender_name: str,
        sender_contact: str,
        received_at: datetime,
        answer_days: int,
        calendar: WorkingCalendar,
        stamp: Stamp,
    ) -> "Feedback":
        if kind not in KINDS:
            raise InvalidInput("Chọn phản ánh hoặc kiến nghị", field="kind")
        if subject_kind not in SUBJECT_KINDS:
            raise InvalidInput("Chọn đơn vị, thủ tục hoặc hồ sơ", field="subject_kind")
        ref = subject_ref.strip().upper()
        if subject_kind == UNIT and ref:
            raise InvalidInput("Phản ánh về đơn vị không kèm mã", field="subject_ref")
        if subject_kind != UNIT and not ref:
            raise InvalidInput("Nhập mã thủ tục hoặc mã hồ sơ", field="subject_ref")
        _limited(title, "title", MAX_TITLE)
        _limited(content, "content", MAX_TEXT)
        _limited(sender_name, "sender_name", MAX_NAME)
        _limited(sender_contact, "sender_contact", MAX_NAME)
        _check_contact(sender_contact)
        first_day = calendar.first_counted_day(received_at)
        return cls(
            kind=kind,
            subject_kind=subject_kind,
            subject_ref=ref,
            title=title,
            content=content,
            sender_name=sender_name,
            sender_contact=sender_contact.strip(),
            received_at=received_at,
            answer_days=answer_days,
            answer_due_on=calendar.due_date(first_day, answer_days),
            stamp=stamp,
        )

    @event("Received")
    def __init__(
        self,
        *,
        kind: str,
        subject_kind: str,
        subject_ref: str,
        title: str,
        content: str,
        sender_name: str,
        sender_contact: str,
        received_at: datetime,
        answer_days: int,
        answer_due_on: date,
        stamp: Stamp,
    ) -> None:
        self.unit_id = stamp.unit_id
        self.kind = kind
        self.subject_kind = subject_kind
        self.subject_ref = subject_ref
        self.title = title
        self.content = content
        self.sender_name = sender_name
        self.sender_contact = sender_contact
        self.received_at = received_at
        self.answer_due_on = answer_due_on
        self.status: str = RECEIVED
        self.department_id: str | None = None
        self.answer_text: str | None = None
        self.outcome: str | None = None
        self.published = False
        self.nonconformity_raised = False

    def assign(self, *, department_id: str, stamp: Stamp) -> None:
        """To the department that answers; again to another while unanswered."""
        self.expect(RECEIVED, ASSIGNED, action="giao xử lý")
        require_text(department_id, "department_id")
        if department_id == self.department_id:
            raise InvalidInput("Phản ánh đã được giao cho phòng này", field="department_id")
        self._assigned(department_id=department_id, previous=self.department_id, stamp=stamp)

    @event("Assigned")
    def _assigned(self, department_id: str, previous: str | None, stamp: Stamp) -> None:
        self.department_id = department_id
        self.status = ASSIGNED

    def answer(
        self, *, text: str, answered_on: date, publish: bool, today: date, stamp: Stamp
    ) -> None:
        """On time up to the due date (inclusive), late after it."""
        self.expect(ASSIGNED, action="trả lời")
        _limited(text, "text", MAX_TEXT)
        if answered_on > today:
            raise InvalidInput("Ngày trả lời không được sau hôm nay", field="answered_on")
        if answered_on < _vietnam_day(self.received_at):
            raise InvalidInput("Ngày trả lời trước ngày tiếp nhận", field="answered_on")
        assert self.department_id is not None
        self._answered(
            department_id=self.department_id,
            text=text,
            answered_on=answered_on,
            due_on=self.answer_due_on,
            outcome=ON_TIME if answered_on <= self.answer_due_on else LATE,
            published=publish,
            stamp=stamp,
        )

    @event("Answered")
    def _answered(
        self,
        department_id: str,
        text: str,
        answered_on: date,
        due_on: date,
        outcome: str,
        published: bool,
        stamp: Stamp,
    ) -> None:
        self.status = ANSWERED
        self.answer_text = text
        self.outcome = outcome
        self.published = published

    def publish_answer(self, *, on: date, stamp: Stamp) -> None:
        self.expect(ANSWERED, action="công khai trả lời")
        if self.published:
            raise IllegalTransition("Câu trả lời đã được công khai", current_status=self.status)
        self._answer_published(on=on, stamp=stamp)

    @event("AnswerPublished")
    def _answer_published(self, on: date, stamp: Stamp) -> None:
        self.published = True

    def raise_nonconformity(self, *, description: str, stamp: Stamp) -> None:
        """A complaint only, once, after it names its department: the audit service opens
        a nonconformity there (source: complaint)."""
        if self.kind != COMPLAINT:
            raise IllegalTransition(
                "Chỉ phản ánh mới mở được sự không phù hợp", current_status=self.status
            )
        self.expect(ASSIGNED, ANSWERED, action="mở sự không phù hợp từ")
        if self.nonconformity_raised:
            raise IllegalTransition(
                "Phản ánh này đã mở sự không phù hợp", current_status=self.status
            )
        _limited(description, "description", MAX_TEXT)
        assert self.department_id is not None
        self._nonconformity_raised(
            department_id=self.department_id, description=description, stamp=stamp
        )

    @event("NonconformityRaised")
    def _nonconformity_raised(self, department_id: str, description: str, stamp: Stamp) -> None:
        self.nonconformity_raised = True


# The daily limit per address


def address_digest(key: bytes, address: str) -> str:
    """Hex HMAC-SHA256 of the sender's address under the service's key (a plain hash of an
    IPv4 address is reversed by trying them all). An IPv6 address counts by its /64, which a
    subscriber usually holds whole, so cycling through it does not get past the limit."""
    text = address.strip().lower()
    if not text:
        raise ValueError("the sender's network address is missing")
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        pass  # not an IP literal (a test's name, a proxy's token): hashed as given
    else:
        if isinstance(ip, ipaddress.IPv6Address):
            mapped = ip.ipv4_mapped
            text = str(mapped or ipaddress.IPv6Network((ip, 64), strict=False))
        else:
            text = str(ip)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def quota_id(digest: str, day: date) -> uuid.UUID:
    return uuid.uuid5(FEEDBACK_QUOTAS, f"{digest}/{day.isoformat()}")


class FeedbackQuota(Aggregate):
    """What one address sent on one Vietnam day; a new day starts a new quota."""

    if TYPE_CHECKING:
        Opened: type[Aggregate.Event]
        Taken: type[Aggregate.Event]

    @staticmethod
    def create_id(digest: str, day: date, **_: object) -> uuid.UUID:
        return quota_id(digest, day)

    @event("Opened")
    def __init__(self, *, digest: str, day: date) -> None:
        self.digest = digest
        self.day = day
        self.used = 0

    def take(self, limit: int) -> None:
        if self.used >= limit:
            raise TooManyRequests(
                f"Mỗi địa chỉ chỉ được gửi {limit} phản ánh, kiến nghị trong một ngày;"
                " xin gửi lại vào ngày mai",
                limit=limit,
            )
        self._taken(used=self.used + 1)

    @event("Taken")
    def _taken(self, used: int) -> None:
        self.used = used


# Satisfaction


def rating_id(dossier_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(SATISFACTION_RATINGS, str(dossier_id))


def rating_secret(key: bytes, dossier_id: uuid.UUID) -> str:
    """The secret printed on a dossier's result: the citizen's proof that it is theirs."""
    if len(key) < 16:
        raise ValueError("the rating key must have at least 16 bytes")
    mac = hmac.new(key, f"satisfaction/{dossier_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode()[:SECRET_LENGTH]


def secret_matches(key: bytes, dossier_id: uuid.UUID, given: str) -> bool:
    """Typed as printed or not: case, spaces and dashes do not matter."""
    typed = re.sub(r"[\s\-]", "", given).upper()
    return hmac.compare_digest(typed.encode(), rating_secret(key, dossier_id).encode())


class SatisfactionRating(Aggregate):
    """A citizen's rating of a completed dossier; its id comes from the dossier's, so a second
    rating conflicts."""

    if TYPE_CHECKING:
        Rated: type[Aggregate.Event]

    @staticmethod
    def create_id(dossier_id: uuid.UUID, **_: object) -> uuid.UUID:
        return rating_id(dossier_id)

    @classmethod
    def rate(
        cls, *, dossier: Dossier, level: str, comment: str, rated_at: datetime, stamp: Stamp
    ) -> "SatisfactionRating":
        if dossier.status not in (COMPLETED, ARCHIVED):
            raise IllegalTransition(
                "Chỉ đánh giá được hồ sơ đã có kết quả", current_status=dossier.status
            )
        if level not in LEVELS:
            raise InvalidInput("Chọn hài lòng, chấp nhận được hoặc không hài lòng", field="level")
        if len(comment) > MAX_COMMENT:
            raise InvalidInput(f"Ý kiến dài quá {MAX_COMMENT} ký tự", field="comment")
        return cls(
            dossier_id=dossier.id,
            procedure_id=dossier.procedure_id,
            level=level,
            comment=comment.strip(),
            rated_at=rated_at,
            stamp=stamp,
        )

    @event("Rated")
    def __init__(
        self,
        *,
        dossier_id: uuid.UUID,
        procedure_id: str,
        level: str,
        comment: str,
        rated_at: datetime,
        stamp: Stamp,
    ) -> None:
        self.unit_id = stamp.unit_id
        self.dossier_id = dossier_id
        self.procedure_id = procedure_id
        self.level = level
        self.comment = comment
