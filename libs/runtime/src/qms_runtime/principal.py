"""Who acts: the principal a verified token names, its units and roles. No I/O here.

The claims are `sub`, `name`, `units` (unit ids), `roles` and an optional `department_id`
(docs/architecture.md, "Identity").
"""

from dataclasses import dataclass
from typing import Any

from qms_runtime.errors import Forbidden, NotAuthenticated

ISO_SECRETARY = "iso_secretary"
UNIT_LEADER = "unit_leader"
DEPARTMENT_LEADER = "department_leader"
STAFF = "staff"
AUDITOR = "auditor"
SUPERVISOR = "supervisor"
ADMIN = "admin"
#: A machine identity: another e-ISO service reading an event feed.
SERVICE = "service"

ROLES = frozenset(
    {ISO_SECRETARY, UNIT_LEADER, DEPARTMENT_LEADER, STAFF, AUDITOR, SUPERVISOR, ADMIN, SERVICE}
)
#: Roles a person can hold; `service` is for machines only.
PERSON_ROLES = ROLES - {SERVICE}
ALL_UNITS = "*"


@dataclass(frozen=True)
class Principal:
    sub: str
    name: str
    units: frozenset[str]
    roles: frozenset[str]
    department_id: str | None = None

    def can_act_in(self, unit_id: str) -> bool:
        return unit_id in self.units or ALL_UNITS in self.units

    def require(self, unit_id: str, *roles: str) -> None:
        """Raise Forbidden unless the principal acts in the unit with one of the roles."""
        if not self.can_act_in(unit_id):
            raise Forbidden(f"Người dùng không thuộc đơn vị {unit_id}")
        if roles and not self.roles.intersection(roles):
            raise Forbidden(
                "Vai trò của người dùng không được phép thực hiện thao tác này",
                required_roles=sorted(roles),
            )

    def require_department(self, department_id: str, what: str) -> None:
        """The secretary acts for every department; a department leader for their own only."""
        if ISO_SECRETARY in self.roles:
            return
        if self.department_id != department_id:
            raise Forbidden(f"Chỉ lãnh đạo phòng {department_id} hoặc thư ký ISO được {what}")

    def require_own_department(self, department_id: str, what: str) -> None:
        """Only the department's own leader, whatever other roles the person holds (what a
        department says of itself: its report, its acknowledgement, its risks)."""
        if self.department_id != department_id:
            raise Forbidden(f"Chỉ lãnh đạo phòng {department_id} được {what}")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    units, roles = claims.get("units", []), claims.get("roles", [])
    if not isinstance(units, list) or not isinstance(roles, list):
        raise NotAuthenticated("Token thiếu danh sách đơn vị hoặc vai trò")
    return Principal(
        sub=str(claims["sub"]),
        name=str(claims.get("name", claims["sub"])),
        units=frozenset(str(unit) for unit in units),
        roles=frozenset(str(role) for role in roles if role in ROLES),
        department_id=claims.get("department_id") or None,
    )
