"""The evidence pack over the real broker and PostgreSQL: the service as it runs, fed the
objectives' and audit services' events, each twice, then replayed from zero in another order."""

import asyncio
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from joserfc.jwk import KeySet
from litestar.di import Provide
from litestar.testing import AsyncTestClient

from qms_contracts import Envelope, IntegrationEvent, encode, event_id, events_topic
from qms_contracts import audit as audit_events
from qms_contracts import objectives as objective_events
from qms_review.app import SERVICE
from qms_review.application import ReviewApplication
from qms_runtime.auth import DevIssuer
from qms_runtime.kafka import ensure_topics
from qms_runtime.settings import ServiceSettings

UNIT = "so-khcn"
Sent = tuple[uuid.UUID, int, datetime, IntegrationEvent]


class Story:
    """Events of one unit's records, each with its aggregate, version and time."""

    def __init__(self) -> None:
        self.events: list[Sent] = []
        self._versions: dict[uuid.UUID, int] = {}

    def add(self, record: uuid.UUID, on: date, payload: IntegrationEvent) -> None:
        version = self._versions.get(record, 0) + 1
        self._versions[record] = version
        # Noon in Vietnam: the day is the same in UTC.
        at = datetime(on.year, on.month, on.day, 5, tzinfo=UTC)
        self.events.append((record, version, at, payload))

    def of(self, *records: uuid.UUID) -> list[Sent]:
        return [sent for sent in self.events if sent[0] in records]


def objective(story: Story, year: int, title: str, achieved: bool | None) -> uuid.UUID:
    record = uuid.uuid4()
    ids = {"objective_id": str(record), "unit_id": UNIT}
    story.add(
        record,
        date(year, 1, 5),
        objective_events.ObjectiveDrafted(**ids, year=year, title="Nháp", targets=[]),
    )
    story.add(
        record, date(year, 1, 6), objective_events.ObjectiveRevised(**ids, title=title, targets=[])
    )
    story.add(
        record, date(year, 1, 7), objective_events.ObjectiveSubmitted(**ids, submitted_by="thuky")
    )
    story.add(
        record, date(year, 1, 8), objective_events.ObjectiveApproved(**ids, approved_by="giamdoc")
    )
    if achieved is not None:
        story.add(
            record,
            date(year, 12, 20),
            objective_events.ObjectiveEvaluated(
                **ids, achieved=achieved, results=[], evaluated_by="thuky"
            ),
        )
    return record


def policy(story: Story, number: int, published: date, superseded: date | None) -> uuid.UUID:
    record = uuid.uuid4()
    ids = {"document_id": str(record), "unit_id": UNIT, "version_number": number}
    story.add(
        record,
        published,
        objective_events.QualityPolicyDrafted(**ids, title=f"Chính sách {number}", content="…"),
    )
    story.add(record, published, objective_events.QualityPolicyPublished(**ids, supersedes=None))
    if superseded is not None:
        story.add(
            record, superseded, objective_events.QualityPolicySuperseded(**ids, superseded_by="x")
        )
    return record


def the_unit_story() -> tuple[Story, dict[str, uuid.UUID]]:
    story = Story()
    records = {
        "achieved": objective(story, 2026, "Hồ sơ đúng hạn 100 %", True),
        "missed": objective(story, 2026, "Trực tuyến 30 %", False),
        "open": objective(story, 2026, "Hài lòng 95 %", None),
        "last_year": objective(story, 2025, "Năm trước", True),
        "policy_2": policy(story, 2, date(2025, 3, 1), date(2026, 4, 1)),
        "policy_3": policy(story, 3, date(2026, 4, 1), None),
        "policy_1": policy(story, 1, date(2024, 1, 1), date(2025, 3, 1)),
    }
    context = records["context"] = uuid.uuid4()
    ids: dict[str, Any] = {"document_id": str(context), "unit_id": UNIT, "version_number": 1}
    story.add(
        context,
        date(2026, 2, 1),
        objective_events.OrganizationContextDrafted(**ids, title="Bối cảnh", content="…"),
    )
    story.add(
        context,
        date(2026, 2, 2),
        objective_events.OrganizationContextPublished(**ids, supersedes=None),
    )
    programme = records["programme"] = uuid.uuid4()
    ids = {"programme_id": str(programme), "unit_id": UNIT}
    content: dict[str, Any] = {
        "objectives": "Hiệu lực HTQLCL",
        "scope": "Toàn bộ quy trình",
        "criteria": "TCVN ISO 9001:2015",
        "department_ids": ["mot-cua"],
        "period_start": date(2026, 5, 1),
        "period_end": date(2026, 10, 31),
        "planned_rounds": 1,
    }
    story.add(
        programme, date(2026, 3, 1), audit_events.AuditProgrammeDrafted(**ids, year=2026, **content)
    )
    story.add(
        programme,
        date(2026, 3, 2),
        audit_events.AuditProgrammeSubmitted(**ids, submitted_by="thuky"),
    )
    story.add(
        programme,
        date(2026, 3, 3),
        audit_events.AuditProgrammeApproved(**ids, approved_by="giamdoc"),
    )
    plan = records["plan"] = uuid.uuid4()
    ids = {"plan_id": str(plan), "unit_id": UNIT}
    story.add(
        plan,
        date(2026, 5, 2),
        audit_events.AuditPlanDrafted(**ids, programme_id=str(programme), round=1, visits=[]),
    )
    story.add(plan, date(2026, 5, 3), audit_events.AuditPlanApproved(**ids, approved_by="giamdoc"))
    for number, kind in enumerate(("major", "observation", "minor"), 1):
        story.add(
            plan,
            date(2026, 6, 10),
            audit_events.FindingRecorded(
                **ids,
                finding_id=f"f{number}",
                department_id="mot-cua",
                kind=kind,
                clause="7.5",
                evidence="…",
                recorded_by="dgv",
            ),
        )
    story.add(
        plan,
        date(2026, 6, 30),
        audit_events.AuditConcluded(**ids, outcome="improvement_actions", concluded_by="giamdoc"),
    )
    for name, opened, closed in (
        ("nc_closed", date(2026, 6, 10), date(2026, 10, 1)),
        ("nc_open", date(2026, 6, 11), None),
        ("nc_old", date(2025, 11, 1), date(2026, 2, 1)),
    ):
        nc = records[name] = uuid.uuid4()
        ids = {"nonconformity_id": str(nc), "unit_id": UNIT}
        story.add(
            nc,
            opened,
            audit_events.NonconformityOpened(
                **ids,
                source="audit",
                department_id="mot-cua",
                description=f"NC {name}",
                clause="7.5",
                opened_by="dgv",
            ),
        )
        if closed is not None:
            story.add(nc, closed, audit_events.NonconformityClosed(**ids, closed_by="thuky"))
    # Another unit's facts never show in this one's pack.
    elsewhere = uuid.uuid4()
    story.add(
        elsewhere,
        date(2026, 1, 5),
        objective_events.ObjectiveDrafted(
            objective_id=str(elsewhere), unit_id="so-tnmt", year=2026, title="x", targets=[]
        ),
    )
    return story, records


async def send(producer: AIOKafkaProducer, events: Iterable[Sent]) -> None:
    for record, version, at, payload in events:
        envelope = Envelope(
            id=event_id(record, version),
            source=f"/qms/{payload.service}",
            type=payload.event_type,
            subject=str(record),
            time=at,
            unitid=payload.unit_id,  # type: ignore[attr-defined]
            actor="someone",
            aggregateversion=version,
            correlationid="c",
            causationid="c",
        )
        message = encode(envelope, payload)
        await producer.send_and_wait(
            events_topic(payload.service), message.value, key=message.key, headers=message.headers
        )


async def processed(pool: asyncpg.Pool, count: int) -> None:
    """Wait until the consumer recorded `count` events, then a moment for any duplicate."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = await pool.fetchval("SELECT count(*) FROM review.processed_events")
        if done >= count:
            await asyncio.sleep(0.5)
            assert await pool.fetchval("SELECT count(*) FROM review.processed_events") == count
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} events not processed in time")


def ids_of(record: uuid.UUID, *versions: int) -> list[str]:
    return [event_id(record, v) for v in versions]


async def test_the_pack_is_built_once_per_event_and_again_the_same_from_zero(
    database_url: str, bootstrap: str, pool: asyncpg.Pool
) -> None:
    settings = ServiceSettings(
        database_url=database_url, kafka_bootstrap=bootstrap, topic_partitions=1
    )
    for service in ("objectives", "audit"):
        await ensure_topics(bootstrap, [events_topic(service)], partitions=1, replication=1)
    issuer = DevIssuer(settings.jwt_issuer, settings.jwt_audience)
    app = SERVICE.build_app(settings)
    # No JWKS server here: the verifier is handed the issuer's keys instead.
    app.state.verifier._keys = KeySet.import_key_set(issuer.jwks())  # type: ignore[arg-type]
    # The service's own application, its clock set to the year's end.
    provided = app.dependencies["application"]
    assert isinstance(provided, Provide)
    application: ReviewApplication = provided.dependency()
    application.today = lambda: date(2026, 12, 20)

    def as_(sub: str, role: str) -> dict[str, str]:
        return {"authorization": f"Bearer {issuer.issue(sub, sub, [UNIT], [role])}"}

    secretary, leader = as_("thuky", "iso_secretary"), as_("giamdoc", "unit_leader")
    story, records = the_unit_story()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    async with AsyncTestClient(app) as client:
        await send(producer, story.events)
        await send(producer, story.events)  # every event twice
        await processed(pool, len(story.events))
        report = (
            await client.get(f"/api/v1/units/{UNIT}/iso-report/2026", headers=secretary)
        ).json()
        objectives = report["objectives"]
        assert {k: objectives[k] for k in ("set", "achieved", "not_achieved", "not_evaluated")} == {
            "set": 3,
            "achieved": 1,
            "not_achieved": 1,
            "not_evaluated": 1,
        }
        [first] = [o for o in objectives["objectives"] if o["achieved"]]
        # The title of the latest revision; the events it was derived from.
        assert (first["title"], first["achieved"]) == ("Hồ sơ đúng hạn 100 %", True)
        assert first["event_ids"] == ids_of(records["achieved"], 2, 4, 5)
        audits = report["audits"]
        assert [p["programme_id"] for p in audits["programmes_approved"]] == [
            str(records["programme"])
        ]
        [concluded] = audits["audits_concluded"]
        assert (concluded["outcome"], concluded["title"]) == ("improvement_actions", "Đợt 1")
        # A plan's year is its programme's: the programme's event is cited too.
        assert concluded["event_ids"] == [
            event_id(records["programme"], 1),
            event_id(records["plan"], 1),
            event_id(records["plan"], 6),
        ]
        assert audits["findings_by_kind"] == {"major": 1, "minor": 1, "observation": 1}
        ncs = report["nonconformities"]
        assert (ncs["opened"], ncs["closed"], ncs["still_open"]) == (2, 2, 1)
        assert {n["description"]: n["status"] for n in ncs["nonconformities"]} == {
            "NC nc_closed": "closed",
            "NC nc_open": "open",
            "NC nc_old": "closed",
        }
        documents = report["documents"]
        assert [(d["kind"], d["version_number"]) for d in documents["policy_in_force"]] == [
            ("policy", 2),
            ("policy", 3),
        ]
        assert [(d["kind"], d["version_number"]) for d in documents["published"]] == [
            ("context", 1),
            ("policy", 3),
        ]
        assert [d["version_number"] for d in documents["superseded"]] == [2]
        assert report["reviews_held"] == []
        last_year = (
            await client.get(f"/api/v1/units/{UNIT}/iso-report/2025", headers=secretary)
        ).json()
        assert [o["title"] for o in last_year["objectives"]["objectives"]] == ["Năm trước"]
        assert [d["version_number"] for d in last_year["documents"]["policy_in_force"]] == [1, 2]
        other_unit = await client.get("/api/v1/units/so-tnmt/iso-report/2026", headers=secretary)
        assert other_unit.status_code == 403

        # A review of the year, held and concluded: the report counts it, with its events.
        notice = {
            "year": 2026,
            "title": "Xem xét của lãnh đạo 2026",
            "agenda": [
                {"topic": "objective_achievement", "department_ids": ["mot-cua"]},
                {"topic": "audit_results"},
                {"topic": "nonconformities"},
                {"topic": "changes_in_issues"},
                {"topic": "resources", "department_ids": ["van-phong"]},
            ],
            "report_deadline": "2026-12-05",
            "meeting_date": "2026-12-15",
        }
        review = (
            await client.post(f"/api/v1/units/{UNIT}/reviews", json=notice, headers=secretary)
        ).json()["id"]
        for step, who in (("submit", secretary), ("approve", leader), ("issue", secretary)):
            assert (
                await client.post(f"/api/v1/reviews/{review}/{step}", headers=who)
            ).status_code == 200
        evidence = (
            await client.get(f"/api/v1/reviews/{review}/evidence", headers=secretary)
        ).json()
        by_topic = {item["topic"]: item for item in evidence["agenda"]}
        assert by_topic["objective_achievement"]["objectives"] == objectives
        assert by_topic["objective_achievement"]["missing_departments"] == ["mot-cua"]
        assert by_topic["audit_results"]["audits"] == audits
        assert by_topic["nonconformities"]["nonconformities"] == ncs
        assert [d["kind"] for d in by_topic["changes_in_issues"]["context_changes"]] == ["context"]
        assert by_topic["resources"]["objectives"] is None
        # After the deadline the secretary consolidates without the missing reports.
        for path, body, who in (
            ("consolidate", {"summary": "Tổng hợp"}, secretary),
            (
                "meeting",
                {"held_on": "2026-12-15", "chair": "GĐ", "participants": ["GĐ"], "minutes": "…"},
                secretary,
            ),
        ):
            assert (
                await client.post(f"/api/v1/reviews/{review}/{path}", json=body, headers=who)
            ).status_code == 200
        conclusion = {
            "summary": "Kết luận",
            "outputs": [{"kind": "resource_need", "description": "Máy quét"}],
        }
        assert (
            await client.put(
                f"/api/v1/reviews/{review}/conclusion", json=conclusion, headers=secretary
            )
        ).status_code == 200
        assert (
            await client.post(f"/api/v1/reviews/{review}/conclusion/approve", headers=leader)
        ).status_code == 200
        read = (await client.get(f"/api/v1/reviews/{review}", headers=secretary)).json()
        assert [(m["department_id"], m["topic"]) for m in read["missing_reports"]] == [
            ("mot-cua", "objective_achievement"),
            ("van-phong", "resources"),
        ]
        report = (
            await client.get(f"/api/v1/units/{UNIT}/iso-report/2026", headers=secretary)
        ).json()
        [held] = report["reviews_held"]
        assert (held["round"], held["held_on"], held["concluded"], held["outputs"]) == (
            1,
            "2026-12-15",
            True,
            1,
        )
        assert held["event_ids"] == [event_id(uuid.UUID(review), 6), event_id(uuid.UUID(review), 8)]
        before_replay = {k: v for k, v in report.items() if k != "reviews_held"}

        # A replay from zero, records in reverse order: the plan's events come before its
        # programme's, so until the programme arrives the plan has no year and is not shown.
        await pool.execute(
            "TRUNCATE review.evidence_records, review.evidence_facts, review.processed_events"
        )
        plan_first = story.of(records["plan"])
        await send(producer, plan_first)
        await processed(pool, len(plan_first))
        waiting = (
            await client.get(f"/api/v1/units/{UNIT}/iso-report/2026", headers=secretary)
        ).json()
        assert waiting["audits"]["audits_concluded"] == [] and waiting["audits"]["findings"] == []
        others = [sent for sent in reversed(story.events) if sent[0] != records["plan"]]
        others.sort(key=lambda sent: sent[1])  # each record's events still in order
        await send(producer, others)
        await processed(pool, len(story.events))
        replayed = (
            await client.get(f"/api/v1/units/{UNIT}/iso-report/2026", headers=secretary)
        ).json()
    await producer.stop()
    assert {k: v for k, v in replayed.items() if k != "reviews_held"} == before_replay
