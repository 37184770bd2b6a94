"""The whole objectives workflow through the gateway, with tokens of every role involved."""

import httpx

from tests.conftest import UNIT, objective_body, token_for


def test_full_objective_workflow(
    gateway: httpx.Client,
    secretary: dict[str, str],
    leader: dict[str, str],
    department_leader: dict[str, str],
) -> None:
    created = gateway.post(
        f"/api/v1/units/{UNIT}/objectives", json=objective_body(), headers=secretary
    )
    assert created.status_code == 201, created.text
    objective = created.json()
    oid = objective["id"]
    assert objective["version"] == 1 and objective["status"] == "draft"
    assert created.headers["QMS-Read-Model"] == "current"

    # Not visible publicly while a draft.
    public = gateway.get(f"/api/v1/public/units/{UNIT}/objectives").json()
    assert oid not in [row["id"] for row in public]

    submitted = gateway.post(f"/api/v1/objectives/{oid}/submit", headers=secretary)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    # The leader sees the approval task; the secretary (submitter) does not.
    leader_tasks = gateway.get("/api/v1/me/tasks", headers=leader).json()["tasks"]
    assert any(t["id"] == oid and t["action"] == "approve" for t in leader_tasks)
    secretary_tasks = gateway.get("/api/v1/me/tasks", headers=secretary).json()["tasks"]
    assert not any(t["id"] == oid and t["action"] == "approve" for t in secretary_tasks)

    returned = gateway.post(
        f"/api/v1/objectives/{oid}/return",
        json={"reason": "Bổ sung chỉ tiêu trực tuyến"},
        headers=leader,
    )
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "Bổ sung chỉ tiêu trực tuyến"
    assert any(
        t["id"] == oid and t["action"] == "revise"
        for t in gateway.get("/api/v1/me/tasks", headers=secretary).json()["tasks"]
    )

    revised_body = objective_body(title="Giải quyết hồ sơ đúng hạn và trực tuyến")
    del revised_body["year"]  # the year of an objective is fixed when drafted
    stale = gateway.put(
        f"/api/v1/objectives/{oid}", json=revised_body, headers={**secretary, "If-Match": '"1"'}
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["current_version"] == 3
    assert stale.json()["type"] == "urn:qms:problem:version-conflict"

    revised = gateway.put(
        f"/api/v1/objectives/{oid}", json=revised_body, headers={**secretary, "If-Match": '"3"'}
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["status"] == "draft" and revised.json()["version"] == 4

    assert gateway.post(f"/api/v1/objectives/{oid}/submit", headers=secretary).status_code == 200

    # Wrong role, other unit, and the submitter approving: all 403.
    assert gateway.post(f"/api/v1/objectives/{oid}/approve", headers=secretary).status_code == 403
    outsider = token_for(gateway, "giamdoc-khac", ["unit_leader"], unit_id="so-tu-phap")
    assert gateway.post(f"/api/v1/objectives/{oid}/approve", headers=outsider).status_code == 403
    assert gateway.get(f"/api/v1/objectives/{oid}", headers=outsider).status_code == 403
    both = token_for(gateway, "thuky", ["iso_secretary", "unit_leader"])
    denied = gateway.post(f"/api/v1/objectives/{oid}/approve", headers=both)
    assert denied.status_code == 403 and "phân tách" in denied.json()["detail"]

    approved = gateway.post(f"/api/v1/objectives/{oid}/approve", headers=leader)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    # Illegal transition: approving twice.
    again = gateway.post(f"/api/v1/objectives/{oid}/approve", headers=leader)
    assert again.status_code == 409 and again.json()["current_status"] == "approved"
    assert again.json()["type"] == "urn:qms:problem:illegal-transition"

    public = gateway.get(f"/api/v1/public/units/{UNIT}/objectives").json()
    assert oid in [row["id"] for row in public]

    incomplete = gateway.post(
        f"/api/v1/objectives/{oid}/disseminate",
        json={"department_ids": ["van-phong"]},
        headers=secretary,
    )
    assert incomplete.status_code == 422 and incomplete.json()["missing"] == ["quan-ly-khoa-hoc"]
    disseminated = gateway.post(
        f"/api/v1/objectives/{oid}/disseminate",
        json={"department_ids": ["van-phong", "quan-ly-khoa-hoc", "ke-hoach-tai-chinh"]},
        headers=secretary,
    )
    assert disseminated.status_code == 200 and disseminated.json()["status"] == "disseminated"

    assert any(
        t["id"] == oid and t["action"] == "record_progress"
        for t in gateway.get("/api/v1/me/tasks", headers=department_leader).json()["tasks"]
    )
    progress = gateway.post(
        f"/api/v1/objectives/{oid}/targets/t1/progress",
        json={"value": 97.5, "as_of": "2026-06-30", "note": "Sáu tháng đầu năm"},
        headers=department_leader,
    )
    assert progress.status_code == 200, progress.text
    # The department leader may not report another department's target.
    other = gateway.post(
        f"/api/v1/objectives/{oid}/targets/t2/progress",
        json={"value": 1, "as_of": "2026-06-30"},
        headers=department_leader,
    )
    assert other.status_code == 403
    for target, value in (("t1", 100), ("t2", 1)):
        reply = gateway.post(
            f"/api/v1/objectives/{oid}/targets/{target}/progress",
            json={"value": value, "as_of": "2026-12-20"},
            headers=secretary,
        )
        assert reply.status_code == 200
    view = reply.json()
    assert [len(t["progress"]) for t in view["targets"]] == [2, 1]

    evaluated = gateway.post(
        f"/api/v1/objectives/{oid}/evaluate", json={"note": "Đạt"}, headers=leader
    )
    assert evaluated.status_code == 200, evaluated.text
    body = evaluated.json()
    assert body["status"] == "evaluated" and body["achieved"] is True
    assert {r["target_id"]: r["achieved"] for r in body["results"]} == {"t1": True, "t2": True}

    listed = gateway.get(
        f"/api/v1/units/{UNIT}/objectives",
        params={"year": 2026, "status": "evaluated"},
        headers=leader,
    )
    assert oid in [row["id"] for row in listed.json()]


def test_bad_input_is_422_with_field_errors(
    gateway: httpx.Client, secretary: dict[str, str]
) -> None:
    reply = gateway.post(
        f"/api/v1/units/{UNIT}/objectives",
        json={"year": "năm nay", "targets": []},
        headers=secretary,
    )
    assert reply.status_code == 422
    assert reply.headers["content-type"].startswith("application/problem+json")
    keys = {error["key"] for error in reply.json()["errors"]}
    assert {"year", "title", "targets"} <= keys
    not_json = gateway.post(
        f"/api/v1/units/{UNIT}/objectives",
        content=b"{",
        headers={**secretary, "content-type": "application/json"},
    )
    assert not_json.status_code in (400, 422)
    assert "traceback" not in not_json.text.lower()


def test_unauthenticated_and_unknown(gateway: httpx.Client, secretary: dict[str, str]) -> None:
    assert (
        gateway.post(f"/api/v1/units/{UNIT}/objectives", json=objective_body()).status_code == 401
    )
    forged = {"authorization": "Bearer abc.def.ghi"}
    assert gateway.get("/api/v1/me/tasks", headers=forged).status_code == 401
    missing = gateway.get(
        "/api/v1/objectives/00000000-0000-0000-0000-000000000000", headers=secretary
    )
    assert missing.status_code == 404
    assert gateway.get("/api/v1/public/units/khong-co").status_code == 404


def test_policy_versions_supersede(
    gateway: httpx.Client, secretary: dict[str, str], leader: dict[str, str]
) -> None:
    ids, numbers = [], []
    for number in (1, 2):
        draft = gateway.post(
            f"/api/v1/units/{UNIT}/policies",
            json={
                "title": f"Chính sách chất lượng v{number}",
                "content": "Phục vụ người dân tận tâm",
            },
            headers=secretary,
        )
        assert draft.status_code == 201, draft.text
        pid = draft.json()["id"]
        assert gateway.post(f"/api/v1/policies/{pid}/submit", headers=secretary).status_code == 200
        assert gateway.post(f"/api/v1/policies/{pid}/approve", headers=leader).status_code == 200
        published = gateway.post(f"/api/v1/policies/{pid}/publish", headers=secretary)
        assert published.status_code == 200 and published.json()["status"] == "published"
        ids.append(pid)
        # Other tests may have drafted policies of this unit before: numbers go on from theirs.
        numbers.append(draft.json()["version_number"])
        current = gateway.get(f"/api/v1/public/units/{UNIT}/policy").json()
        assert current["id"] == pid and current["version_number"] == numbers[-1]
    assert numbers[1] == numbers[0] + 1
    first = gateway.get(f"/api/v1/policies/{ids[0]}", headers=secretary).json()
    assert first["status"] == "superseded"
    assert gateway.get(f"/api/v1/public/units/{UNIT}/context").status_code == 404


def test_public_units_and_documents(gateway: httpx.Client) -> None:
    units = gateway.get("/api/v1/public/units").json()
    unit = next(u for u in units if u["unit_id"] == UNIT)
    assert unit["name"] == "Sở Khoa học và Công nghệ" and len(unit["departments"]) >= 3
    assert gateway.get("/schema/openapi.json").status_code == 200
    asyncapi = gateway.get("/api/v1/docs/asyncapi/objectives").json()
    assert asyncapi["asyncapi"].startswith("3.")
    assert any("ObjectiveApproved" in name for name in asyncapi["components"]["messages"])
    own = gateway.get("/api/v1/docs/asyncapi/gateway").json()
    addresses = {channel["address"] for channel in own["channels"].values()}
    assert {"qms.objectives.events.v1", "qms.gateway.dlq.v1"} <= addresses
    index = gateway.get("/api/v1/docs").json()
    assert {"gateway", "objectives"} <= set(index["asyncapi"])
    upstream_openapi = gateway.get(index["openapi"]["objectives"]).json()
    assert "/api/v1/units/{unit_id}/objectives" in upstream_openapi["paths"]
    assert gateway.get("/metrics").status_code == 200


def test_dev_token_for_a_seeded_user(gateway: httpx.Client) -> None:
    reply = gateway.post("/auth/dev-token", json={"sub": "truongphong"})
    assert reply.status_code == 200
    headers = {"authorization": f"Bearer {reply.json()['access_token']}"}
    me = gateway.get("/api/v1/me/tasks", headers=headers).json()
    assert me["name"] == "Lê Văn Trưởng"
    unknown = gateway.post("/auth/dev-token", json={"sub": "khong-ai"})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
