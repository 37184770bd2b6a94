"""The procedures application on in-memory persistence: who may do what, versions in force,
dossiers on the working-day calendar, publishing complete and valid; and dossier codes under
concurrency on PostgreSQL."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest

from qms_contracts import model_for_type
from qms_contracts import procedures as contract
from qms_procedures.application import ProceduresApplication
from qms_procedures.domain import OBSOLETE, PUBLISHED, ProcedureContent, ProcedureVersion, Step
from qms_procedures.dossiers import Applicant, Dossier
from qms_procedures.outputs import cause_raise_id
from qms_procedures.publishing import AGGREGATES, MAPPER
from qms_runtime.clock import TIMEZONE
from qms_runtime.errors import Forbidden, IllegalTransition, InvalidInput, VersionConflict
from qms_runtime.eventstore import ensure_schema, persistence_env
from qms_runtime.principal import ADMIN, DEPARTMENT_LEADER, ISO_SECRETARY, STAFF, UNIT_LEADER
from qms_runtime.publishing import event_classes
from qms_runtime.testing import context

UNIT = "so-khcn"
#: The secret key of ratings and address digests, given as the service is given it.
KEY = b"the tests' rating key"
SETTINGS = {"QMS_RATING_KEY": KEY.decode()}
SECRETARY = context("thuky", ISO_SECRETARY, unit=UNIT)
LEADER = context("giamdoc", UNIT_LEADER, unit=UNIT)
DESK = context("motcua", STAFF, unit=UNIT, department="mot-cua")
EXPERT = context("chuyenvien", STAFF, unit=UNIT, department="quan-ly-khcn")
EXPERTS_HEAD = context("tp", DEPARTMENT_LEADER, unit=UNIT, department="quan-ly-khcn")
OTHER_HEAD = context("tp2", DEPARTMENT_LEADER, unit=UNIT, department="tai-chinh")
ADMINISTRATOR = context("quantri", ADMIN, unit="*")
TODAY = date(2026, 3, 2)
CONTENT = ProcedureContent(
    name="Cấp giấy xác nhận",
    scope="Hồ sơ nội bộ",
    steps=(
        Step("Tiếp nhận", "mot-cua", "", 1),
        Step("Thẩm định", "quan-ly-khcn", "", 3),
        Step("Ký duyệt", "", UNIT_LEADER, 1),
    ),
    forms=(),
    review_on=date(2027, 3, 1),
)
APPLICANT = Applicant("Nguyễn Văn A", "0901234567")
MONDAY_MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=TIMEZONE)


def _app(app: ProceduresApplication) -> ProceduresApplication:
    app.today = lambda: TODAY
    return app


@pytest.fixture
def app() -> ProceduresApplication:
    return _app(ProceduresApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo", **SETTINGS}))


def published(app: ProceduresApplication, code: str = "QT-05") -> uuid.UUID:
    version = app.draft_procedure(SECRETARY, UNIT, code, CONTENT)
    app.submit(SECRETARY, ProcedureVersion, version.id, 1)
    app.approve(LEADER, ProcedureVersion, version.id, 2)
    app.publish(SECRETARY, version.id, 3)
    return version.id


def filed(app: ProceduresApplication, version_id: uuid.UUID) -> uuid.UUID:
    return app.file_dossier(
        DESK,
        UNIT,
        prefix="SKHCN",
        version_id=version_id,
        subject="Xác nhận đề tài",
        applicant=APPLICANT,
        received_at=MONDAY_MORNING,
    ).id


def test_a_code_is_registered_once_per_unit(app: ProceduresApplication) -> None:
    app.draft_procedure(SECRETARY, UNIT, "QT-05", CONTENT)
    with pytest.raises(VersionConflict):
        app.draft_procedure(SECRETARY, UNIT, " qt-05 ", CONTENT)
    other = context("thuky2", ISO_SECRETARY, unit="ubnd-xa")
    app.draft_procedure(other, "ubnd-xa", "QT-05", CONTENT)


def test_publishing_a_new_version_makes_the_one_in_force_obsolete(
    app: ProceduresApplication,
) -> None:
    first = published(app)
    procedure = uuid.UUID(app.load(ProcedureVersion, first).procedure_id)
    second = app.draft_version(SECRETARY, procedure, None, CONTENT)
    assert app.load(ProcedureVersion, second.id).number == 2
    app.submit(SECRETARY, ProcedureVersion, second.id, 1)
    app.approve(LEADER, ProcedureVersion, second.id, 2)
    app.publish(SECRETARY, second.id, 3)
    assert app.load(ProcedureVersion, first).status == OBSOLETE
    assert app.load(ProcedureVersion, second.id).status == PUBLISHED


def test_only_a_concerned_department_leader_acknowledges_for_their_own(
    app: ProceduresApplication,
) -> None:
    version = published(app)
    with pytest.raises(Forbidden):
        app.acknowledge_reading(SECRETARY, version, None)
    with pytest.raises(InvalidInput):
        app.acknowledge_reading(OTHER_HEAD, version, None)
    app.acknowledge_reading(EXPERTS_HEAD, version, None)
    assert app.load(ProcedureVersion, version).awaiting_acknowledgement == ("mot-cua",)


def test_dossier_codes_follow_each_other_per_unit_and_day(app: ProceduresApplication) -> None:
    version = published(app)
    codes = [app.load(Dossier, filed(app, version)).code for _ in range(3)]
    assert codes == ["SKHCN-260302-1", "SKHCN-260302-2", "SKHCN-260302-3"]


def test_a_dossier_is_filed_only_under_a_version_in_force_of_the_unit(
    app: ProceduresApplication,
) -> None:
    draft = app.draft_procedure(SECRETARY, UNIT, "QT-07", CONTENT)
    with pytest.raises(InvalidInput):
        filed(app, draft.id)
    other = context("thuky2", ISO_SECRETARY, unit="ubnd-xa")
    elsewhere = app.draft_procedure(other, "ubnd-xa", "QT-01", CONTENT)
    with pytest.raises(InvalidInput):
        filed(app, elsewhere.id)
    with pytest.raises(Forbidden):
        app.file_dossier(
            LEADER,
            UNIT,
            prefix="SKHCN",
            version_id=published(app),
            subject="Xác nhận",
            applicant=APPLICANT,
            received_at=MONDAY_MORNING,
        )


def test_each_step_is_done_by_the_department_or_role_it_names(
    app: ProceduresApplication,
) -> None:
    dossier = filed(app, published(app))
    with pytest.raises(Forbidden):
        app.complete_step(EXPERT, dossier, None, note="", done_on=TODAY, cause=None)
    app.complete_step(DESK, dossier, None, note="Đủ hồ sơ", done_on=TODAY, cause=None)
    with pytest.raises(Forbidden):
        app.complete_step(DESK, dossier, None, note="", done_on=TODAY, cause=None)
    app.complete_step(EXPERT, dossier, None, note="Đạt", done_on=TODAY, cause=None)
    with pytest.raises(Forbidden):
        app.complete_step(EXPERTS_HEAD, dossier, None, note="", done_on=TODAY, cause=None)
    app.complete_step(LEADER, dossier, None, note="Đã ký", done_on=TODAY, cause=None)
    finished = app.load(Dossier, dossier)
    assert (finished.status, finished.outcome) == ("completed", "early")
    app.archive_dossier(DESK, dossier, None)


def test_a_dossier_keeps_its_versions_steps_after_the_next_is_published(
    app: ProceduresApplication,
) -> None:
    first = published(app)
    dossier = filed(app, first)
    procedure = uuid.UUID(app.load(ProcedureVersion, first).procedure_id)
    shorter = ProcedureContent(
        CONTENT.name, CONTENT.scope, (Step("Một bước", "mot-cua", "", 1),), (), CONTENT.review_on
    )
    second = app.draft_version(SECRETARY, procedure, None, shorter)
    app.submit(SECRETARY, ProcedureVersion, second.id, 1)
    app.approve(LEADER, ProcedureVersion, second.id, 2)
    app.publish(SECRETARY, second.id, 3)
    kept = app.load(Dossier, dossier)
    assert (kept.version_number, len(kept.steps)) == (1, 3)
    with pytest.raises(InvalidInput):
        filed(app, first)


def test_an_admins_extra_day_off_moves_the_due_dates_of_later_filings(
    app: ProceduresApplication,
) -> None:
    version = published(app)
    before = app.load(Dossier, filed(app, version)).due_on
    with pytest.raises(Forbidden):
        app.set_calendar_day(SECRETARY, day=date(2026, 3, 4), working=False, reason="Nghỉ")
    app.set_calendar_day(ADMINISTRATOR, day=date(2026, 3, 4), working=False, reason="Nghỉ bù")
    after = app.load(Dossier, filed(app, version)).due_on
    assert (before, after) == (date(2026, 3, 6), date(2026, 3, 9))
    app.clear_calendar_day(ADMINISTRATOR, day=date(2026, 3, 4))
    assert app.load(Dossier, filed(app, version)).due_on == before


def test_the_apology_letter_is_issued_by_the_department_of_the_step(
    app: ProceduresApplication,
) -> None:
    dossier = filed(app, published(app))
    with pytest.raises(Forbidden):
        app.extend_due_date(
            EXPERT, dossier, None, new_due_on=date(2026, 3, 13), reason="Cần xác minh"
        )
    app.extend_due_date(DESK, dossier, None, new_due_on=date(2026, 3, 13), reason="Cần xác minh")
    assert app.load(Dossier, dossier).due_on == date(2026, 3, 13)


def test_fifty_filings_at_once_get_fifty_codes_with_no_gap(database_url: str) -> None:
    """Two replicas of the service on one event store, 50 filings at once."""
    ensure_schema(database_url, "procedures_codes")
    # Four connections each, closed at the end: the rest of the suite needs the server's.
    env = {**persistence_env(database_url, "procedures_codes"), "POSTGRES_MAX_OVERFLOW": "0"}
    replicas = [
        _app(ProceduresApplication(env={**env, **SETTINGS, "POSTGRES_POOL_SIZE": "4"}))
        for _ in range(2)
    ]
    try:
        version = published(replicas[0])
        with ThreadPoolExecutor(max_workers=16) as pool:
            ids = list(pool.map(lambda n: filed(replicas[n % 2], version), range(50)))
        codes = sorted(replicas[1].load(Dossier, i).code for i in ids)
    finally:
        for replica in replicas:
            replica.close()
    assert codes == sorted(f"SKHCN-260302-{n}" for n in range(1, 51))


def test_every_domain_event_class_has_an_entry_in_the_table() -> None:
    missing = [c.__qualname__ for c in event_classes(*AGGREGATES) if c not in MAPPER.table]
    assert [name for name in missing if not name.endswith(".Created")] == []


def test_every_recorded_event_maps_to_a_registered_valid_contract(
    app: ProceduresApplication,
) -> None:
    app.set_calendar_day(ADMINISTRATOR, day=date(2026, 3, 4), working=False, reason="Nghỉ bù")
    app.clear_calendar_day(ADMINISTRATOR, day=date(2026, 3, 4))
    version = published(app)
    app.acknowledge_reading(EXPERTS_HEAD, version, None)
    app.record_periodic_review(
        SECRETARY, version, None, note="Còn phù hợp", next_review_on=date(2027, 6, 1)
    )
    procedure = uuid.UUID(app.load(ProcedureVersion, version).procedure_id)
    second = app.draft_version(SECRETARY, procedure, None, CONTENT)
    app.submit(SECRETARY, ProcedureVersion, second.id, None)
    app.return_for_revision(LEADER, ProcedureVersion, second.id, None, "Thiếu biểu mẫu")
    app.revise_version(SECRETARY, second.id, None, CONTENT)
    app.submit(SECRETARY, ProcedureVersion, second.id, None)
    app.approve(LEADER, ProcedureVersion, second.id, None)
    app.publish(SECRETARY, second.id, None)
    dossier = filed(app, second.id)
    app.request_supplement(DESK, dossier, None, "Thiếu bản sao")
    app.receive_supplement(DESK, dossier, None, datetime(2026, 3, 2, 10, 0, tzinfo=TIMEZONE))
    app.extend_due_date(DESK, dossier, None, new_due_on=date(2026, 3, 13), reason="Xác minh")
    app.complete_step(DESK, dossier, None, note="Đủ", done_on=TODAY, cause=None)
    app.return_dossier(EXPERT, dossier, None, step=0, reason="Sai mẫu", cause="wrong_content")
    app.complete_step(DESK, dossier, None, note="Đủ", done_on=TODAY, cause=None)
    app.complete_step(EXPERT, dossier, None, note="Đạt", done_on=TODAY, cause=None)
    app.complete_step(LEADER, dossier, None, note="Ký", done_on=TODAY, cause=None)
    app.archive_dossier(DESK, dossier, None)
    events, _ = app.notifications_after(0, 1000)
    outgoing = [item for item in map(MAPPER, events) if item is not None]
    published_types = {type(item.payload).__name__ for item in outgoing}
    assert published_types == {
        "WorkingCalendarOpened",
        "WorkingCalendarDaySet",
        "WorkingCalendarDayCleared",
        "ProcedureVersionDrafted",
        "ProcedureVersionSubmitted",
        "ProcedureVersionApproved",
        "ProcedureVersionReturned",
        "ProcedureVersionRevised",
        "ProcedurePublished",
        "ProcedureObsoleted",
        "ProcedureReadAcknowledged",
        "ProcedurePeriodicReviewRecorded",
        "DossierFiled",
        "DossierSupplementRequested",
        "DossierSupplementReceived",
        "DossierDueDateExtended",
        "DossierStepCompleted",
        "DossierReturned",
        "NonconformingOutputRecorded",
        "DossierCompleted",
        "DossierArchived",
    }
    for item in outgoing:
        assert model_for_type(item.payload.event_type) is type(item.payload)
    # A reader applies an aggregate's versions without gaps: all its events leave, or none.
    leaving: dict[uuid.UUID, set[bool]] = {}
    for event in events:
        leaving.setdefault(event.originator_id, set()).add(MAPPER(event) is not None)
    assert all(len(kinds) == 1 for kinds in leaving.values())


def test_the_settings_come_from_the_environment() -> None:
    app = ProceduresApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            **SETTINGS,
            "QMS_FEEDBACK_ANSWER_DAYS": "3",
            "QMS_FEEDBACK_PER_ADDRESS_PER_DAY": "2",
            "QMS_NONCONFORMITY_CAUSES": '{"thieu-nhan-su": "Thiếu nhân sự"}',
        }
    )
    assert app.rating_key == KEY
    assert (app.feedback_answer_days, app.feedback_per_address_per_day) == (3, 2)
    assert app.causes == {"thieu-nhan-su"}


def test_the_service_does_not_start_without_a_rating_key() -> None:
    with pytest.raises(ValueError, match="rating_key"):
        ProceduresApplication(
            env={"PERSISTENCE_MODULE": "eventsourcing.popo", "QMS_RATING_KEY": ""}
        )


def test_a_returned_dossier_names_a_cause_of_the_configured_list() -> None:
    app = _app(
        ProceduresApplication(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.popo",
                **SETTINGS,
                "QMS_NONCONFORMITY_CAUSES": '{"thieu-nhan-su": "Thiếu nhân sự"}',
            }
        )
    )
    dossier = filed(app, published(app))
    app.complete_step(DESK, dossier, None, note="Đủ hồ sơ", done_on=TODAY, cause=None)
    with pytest.raises(InvalidInput, match="danh mục"):
        app.return_dossier(EXPERT, dossier, None, step=0, reason="Sai", cause="wrong_content")
    app.return_dossier(EXPERT, dossier, None, step=0, reason="Sai", cause="thieu-nhan-su")


def test_the_secretary_raises_a_cause_for_corrective_action_once_per_period(
    app: ProceduresApplication,
) -> None:
    version = published(app)
    procedure = app.load(ProcedureVersion, version).procedure_id
    raised = {
        "procedure_id": uuid.UUID(procedure),
        "cause": "missing_documents",
        "start": date(2026, 1, 1),
        "end": TODAY,
        "department_id": "mot-cua",
        "description": "Hồ sơ thiếu thành phần lặp lại nhiều lần",
    }
    with pytest.raises(Forbidden):
        app.raise_cause_nonconformity(EXPERTS_HEAD, UNIT, **raised)
    for wrong, field in (
        ({"cause": "khong-co"}, "cause"),
        ({"end": date(2026, 3, 3)}, "end"),
        ({"start": date(2026, 3, 3), "end": date(2026, 3, 2)}, "start"),
        ({"procedure_id": uuid.uuid4()}, "procedure_id"),
        ({"department_id": " "}, "department_id"),
    ):
        with pytest.raises(InvalidInput) as refused:
            app.raise_cause_nonconformity(SECRETARY, UNIT, **{**raised, **wrong})
        assert refused.value.extensions["field"] == field
    result = app.raise_cause_nonconformity(SECRETARY, UNIT, **raised)
    assert result.id == cause_raise_id(UNIT, procedure, "missing_documents", raised["start"], TODAY)
    with pytest.raises(IllegalTransition, match="đã được đề nghị"):
        app.raise_cause_nonconformity(SECRETARY, UNIT, **raised)
    # Another period is another raise.
    app.raise_cause_nonconformity(SECRETARY, UNIT, **{**raised, "start": date(2026, 2, 1)})
    events, _ = app.notifications_after(0, 1000)
    sent = [o.payload for o in map(MAPPER, events) if o is not None]
    first = next(p for p in sent if isinstance(p, contract.CauseNonconformityRaised))
    assert (first.raise_id, first.procedure_id, first.cause, first.department_id) == (
        str(result.id),
        procedure,
        "missing_documents",
        "mot-cua",
    )
