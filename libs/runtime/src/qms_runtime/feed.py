"""Paged event feeds of a service, in CloudEvents JSON: per aggregate and in log order.

Consumers use them to fill a gap in an aggregate's versions and to rebuild read models
without depending on what the broker still holds (docs/architecture.md, "The guarantees").
"""

import uuid
from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import Parameter

from qms_contracts.envelope import structured
from qms_runtime.auth import Principal
from qms_runtime.errors import Forbidden
from qms_runtime.eventstore import QmsApplication
from qms_runtime.relay import EventMapper, envelope_for

#: Largest page of the log feed. A page is one indexed range select on the notification log
#: (QmsApplication.notifications_after), so big pages make a rebuild fast; 5,000 events are a
#: few megabytes of JSON.
LOG_PAGE_MAX = 5000


def feed_controller(service: str) -> type[Controller]:
    def documents(events: list[Any], mapper: EventMapper) -> list[dict[str, Any]]:
        out = []
        for event in events:
            outgoing = mapper(event)
            if outgoing is not None:
                out.append(structured(envelope_for(service, event, outgoing), outgoing.payload))
        return out

    def require_service(principal: Principal) -> None:
        if "service" not in principal.roles:
            raise Forbidden("Chỉ dịch vụ nội bộ được đọc luồng sự kiện")

    class FeedController(Controller):
        path = "/api/v1/feed"
        tags = ["Luồng sự kiện"]

        @get("/", sync_to_thread=True)
        def log(
            self,
            principal: Principal,
            application: QmsApplication,
            mapper: EventMapper,
            after: Annotated[int, Parameter(ge=0)] = 0,
            limit: Annotated[int, Parameter(ge=1, le=LOG_PAGE_MAX)] = 1000,
        ) -> dict[str, Any]:
            require_service(principal)
            events, position = application.notifications_after(after, limit)
            return {"events": documents(events, mapper), "next": position}

        @get("/{aggregate_id:uuid}", sync_to_thread=True)
        def aggregate(
            self,
            aggregate_id: uuid.UUID,
            principal: Principal,
            application: QmsApplication,
            mapper: EventMapper,
            after_version: Annotated[int, Parameter(ge=0)] = 0,
            limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
        ) -> list[dict[str, Any]]:
            require_service(principal)
            return documents(application.events_after(aggregate_id, after_version, limit), mapper)

    return FeedController
