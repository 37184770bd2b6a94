"""Unit tests of the policy and context versions and their register: every rule, no I/O."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from qms_objectives.domain import (
    DocumentRegister,
    OrganizationContext,
    QualityDocument,
    QualityPolicy,
    Status,
)
from qms_runtime.commands import Stamp
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput
from qms_runtime.testing import assert_rejected, stamp

CID = "corr-1"
DRAFTER = "alice"
SUBMITTER = "bob"
REVIEWER = "carol"


def as_(actor: str) -> Stamp:
    return stamp(actor, correlation_id=CID)


def pending_count(aggregate: Aggregate) -> int:
    return len(aggregate.collect_events())


# --- QualityDocument -----------------------------------------------------------------------------


def draft_document(*, title: str = "Chính sách chất lượng", content: str = "Nội dung") -> Any:
    return QualityPolicy.draft(version_number=1, title=title, content=content, stamp=as_(DRAFTER))


def submitted_document() -> QualityDocument:
    doc = draft_document()
    doc.submit(stamp=as_(SUBMITTER))
    return doc


def returned_document() -> QualityDocument:
    doc = submitted_document()
    doc.return_for_revision(reason="Sửa câu chữ", stamp=as_(REVIEWER))
    return doc


def approved_document() -> QualityDocument:
    doc = submitted_document()
    doc.approve(stamp=as_(REVIEWER))
    return doc


def published_document() -> QualityDocument:
    doc = approved_document()
    doc.publish(supersedes=None, stamp=as_(REVIEWER))
    return doc


NEXT_ID = uuid.UUID("00000000-0000-0000-0000-000000000002")


def superseded_document() -> QualityDocument:
    doc = published_document()
    doc.supersede(superseded_by=NEXT_ID, stamp=as_(REVIEWER))
    return doc


DOCUMENT_BUILDERS: dict[Status, Callable[[], QualityDocument]] = {
    Status.DRAFT: draft_document,
    Status.SUBMITTED: submitted_document,
    Status.RETURNED: returned_document,
    Status.APPROVED: approved_document,
    Status.PUBLISHED: published_document,
    Status.SUPERSEDED: superseded_document,
}

DOCUMENT_COMMANDS: dict[str, Callable[[QualityDocument], None]] = {
    "revise": lambda d: d.revise(title="T", content="C", stamp=as_(DRAFTER)),
    "submit": lambda d: d.submit(stamp=as_(SUBMITTER)),
    "approve": lambda d: d.approve(stamp=as_(REVIEWER)),
    "return_for_revision": lambda d: d.return_for_revision(reason="R", stamp=as_(REVIEWER)),
    "publish": lambda d: d.publish(supersedes=None, stamp=as_(REVIEWER)),
    "supersede": lambda d: d.supersede(superseded_by=NEXT_ID, stamp=as_(REVIEWER)),
}

DOCUMENT_ALLOWED: dict[str, set[Status]] = {
    "revise": {Status.DRAFT, Status.RETURNED},
    "submit": {Status.DRAFT},
    "approve": {Status.SUBMITTED},
    "return_for_revision": {Status.SUBMITTED},
    "publish": {Status.APPROVED},
    "supersede": {Status.PUBLISHED},
}


def test_document_draft_initial_state() -> None:
    doc = OrganizationContext.draft(
        version_number=3, title="Bối cảnh", content="Nội dung", stamp=as_(DRAFTER)
    )
    assert isinstance(doc, OrganizationContext)
    assert doc.unit_id == "unit-1"
    assert doc.version_number == 3
    assert doc.status == Status.DRAFT
    assert doc.submitted_by is None
    assert doc.supersedes is None
    assert doc.superseded_by is None
    assert doc.version == 1


@pytest.mark.parametrize(("title", "content", "field"), [(" ", "x", "title"), ("x", "", "content")])
def test_document_draft_requires_title_and_content(title: str, content: str, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        draft_document(title=title, content=content)
    assert info.value.extensions["field"] == field


@pytest.mark.parametrize("status", list(DOCUMENT_BUILDERS))
def test_document_builders_reach_their_status(status: Status) -> None:
    assert DOCUMENT_BUILDERS[status]().status == status


DOCUMENT_ILLEGAL = [
    (command, status)
    for command, allowed in DOCUMENT_ALLOWED.items()
    for status in DOCUMENT_BUILDERS
    if status not in allowed
]


@pytest.mark.parametrize(("command", "status"), DOCUMENT_ILLEGAL)
def test_document_illegal_transitions_raise_and_record_nothing(
    command: str, status: Status
) -> None:
    doc = DOCUMENT_BUILDERS[status]()
    count = pending_count(doc)
    assert count == doc.version
    error = assert_rejected(doc, lambda: DOCUMENT_COMMANDS[command](doc), IllegalTransition)
    assert error.extensions["current_status"] == str(status)
    assert doc.status == status
    assert doc.collect_events() == []


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_document_revise_goes_back_to_draft(status: Status) -> None:
    doc = DOCUMENT_BUILDERS[status]()
    doc.revise(title="Tiêu đề 2", content="Nội dung 2", stamp=as_(DRAFTER))
    assert doc.status == Status.DRAFT
    assert (doc.title, doc.content) == ("Tiêu đề 2", "Nội dung 2")


@pytest.mark.parametrize(("title", "content"), [("", "c"), ("t", "  ")])
def test_document_revise_validates(title: str, content: str) -> None:
    doc = draft_document()
    assert_rejected(
        doc,
        lambda: doc.revise(title=title, content=content, stamp=as_(DRAFTER)),
        InvalidInput,
    )
    assert doc.title == "Chính sách chất lượng"


def test_document_happy_path() -> None:
    doc = returned_document()
    assert doc.return_reason == "Sửa câu chữ"
    doc.revise(title="T2", content="C2", stamp=as_(DRAFTER))
    doc.submit(stamp=as_(SUBMITTER))
    assert doc.submitted_by == SUBMITTER
    assert doc.return_reason is None
    doc.approve(stamp=as_(REVIEWER))
    assert doc.status == Status.APPROVED
    previous = uuid.UUID("00000000-0000-0000-0000-000000000001")
    doc.publish(supersedes=previous, stamp=as_(REVIEWER))
    assert doc.status == Status.PUBLISHED
    assert doc.supersedes == previous
    doc.supersede(superseded_by=NEXT_ID, stamp=as_(REVIEWER))
    assert doc.status == Status.SUPERSEDED
    assert doc.superseded_by == NEXT_ID
    events = doc.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Drafted",
        "Submitted",
        "Returned",
        "Revised",
        "Submitted",
        "Approved",
        "Published",
        "Superseded",
    ]
    copy: Any = None
    for e in events:
        copy = e.mutate(copy)
    assert vars(copy) == vars(doc)


def test_document_submitter_cannot_approve_or_return() -> None:
    doc = submitted_document()
    assert_rejected(doc, lambda: doc.approve(stamp=as_(SUBMITTER)), Forbidden)
    assert_rejected(
        doc,
        lambda: doc.return_for_revision(reason="r", stamp=as_(SUBMITTER)),
        Forbidden,
    )
    assert doc.status == Status.SUBMITTED


def test_document_return_requires_reason() -> None:
    doc = submitted_document()
    error = assert_rejected(
        doc,
        lambda: doc.return_for_revision(reason=" ", stamp=as_(REVIEWER)),
        InvalidInput,
    )
    assert error.extensions["field"] == "reason"


# --- DocumentRegister ----------------------------------------------------------------------------


def test_register_create_id_is_deterministic_per_unit_and_kind() -> None:
    a = DocumentRegister.create_id("unit-1", "policy")
    assert a == DocumentRegister.create_id("unit-1", "policy")
    assert a == DocumentRegister.create_id("unit-1", "policy")  # type: ignore[arg-type]
    assert a != DocumentRegister.create_id("unit-1", "context")
    assert a != DocumentRegister.create_id("unit-2", "policy")
    assert isinstance(a, uuid.UUID)


def test_register_id_comes_from_create_id() -> None:
    register = DocumentRegister(unit_id="unit-1", kind="context")
    assert register.id == DocumentRegister.create_id("unit-1", "context")
    assert register.kind == "context"
    assert register.versions == []
    assert register.in_force is None
    assert register.next_version_number == 1


def test_register_versions_and_in_force() -> None:
    register = DocumentRegister(unit_id="unit-1", kind="policy")
    first, second = uuid.uuid4(), uuid.uuid4()
    register.add_version(first)
    assert register.next_version_number == 2
    register.add_version(second)
    assert register.next_version_number == 3
    assert register.versions == [first, second]
    register.put_in_force(first)
    assert register.in_force == first
    register.put_in_force(second)
    assert register.in_force == second
    events = register.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Opened",
        "VersionAdded",
        "VersionAdded",
        "VersionPutInForce",
        "VersionPutInForce",
    ]
    copy: Any = None
    for e in events:
        copy = e.mutate(copy)
    assert copy.versions == [first, second]
    assert copy.in_force == second
    assert copy.next_version_number == 3
