"""CloudEvents 1.0 envelope with e-ISO extensions, in Kafka binary content mode.

Attributes travel as `ce_*` headers (text only), the payload as JSON in the value,
the aggregate id as the key so that one aggregate's events stay in one partition.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings import kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel, ConfigDict, Field

from qms_contracts.base import IntegrationEvent

_EVENT_ID_NAMESPACE = uuid.UUID("6f1c9f5e-7c1b-4d0c-9a55-2f0e0b8f3a11")
_FORMAT = JSONFormat()


def event_id(aggregate_id: uuid.UUID | str, aggregate_version: int) -> str:
    """Deterministic event id: a republished event keeps its id, so duplicates are harmless.

    The UUID 5 of (aggregate id, version) in our namespace, computed without building UUID
    objects: on feeds and in relays the standard library's uuid5 cost more than the envelope.
    """
    name = f"{aggregate_id}:{aggregate_version}".encode()
    raw = bytearray(hashlib.sha1(_EVENT_ID_NAMESPACE.bytes + name, usedforsecurity=False).digest())
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw[:16].hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class Envelope(BaseModel):
    """CloudEvents attributes plus the e-ISO extensions (docs/architecture.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Deterministic from (aggregate id, aggregate version).")
    source: str = Field(
        description="URI reference of the publishing service, e.g. /qms/objectives."
    )
    type: str = Field(description="Event type, e.g. qms.objectives.ObjectiveSubmitted.v1.")
    subject: str = Field(description="The aggregate id the event is about.")
    time: datetime = Field(description="When the fact happened (the domain event's timestamp).")
    datacontenttype: str = "application/json"
    specversion: str = "1.0"
    unitid: str = Field(description="The unit (agency) the aggregate belongs to.")
    actor: str = Field(description="Subject (`sub`) of the user whose command caused the event.")
    aggregateversion: int = Field(ge=1, description="Version of the aggregate after this event.")
    correlationid: str = Field(description="Id shared by every event of one user request.")
    causationid: str = Field(description="Id of the command or event that caused this one.")
    traceparent: str | None = Field(default=None, description="W3C trace context, if traced.")


@dataclass(frozen=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


_REQUIRED_HEADERS = frozenset({"ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time"})


class MalformedEvent(ValueError):
    """A message that is not a readable e-ISO CloudEvent."""


def encode(envelope: Envelope, payload: IntegrationEvent) -> KafkaRecord:
    attributes: dict[str, Any] = {
        key: value
        for key, value in envelope.model_dump().items()
        if value is not None and key != "aggregateversion"
    }
    attributes["aggregateversion"] = str(envelope.aggregateversion)
    attributes["time"] = envelope.time.astimezone(UTC)
    event = CloudEvent(attributes, payload.model_dump(mode="json"))
    message = kafka.to_binary(event, _FORMAT, key_mapper=lambda _: envelope.subject)
    return KafkaRecord(
        key=envelope.subject.encode(),
        value=message.value,
        headers=sorted(message.headers.items()),
    )


def decode(
    headers: list[tuple[str, bytes]] | dict[str, bytes], value: bytes
) -> tuple[Envelope, dict[str, Any]]:
    """Read envelope and raw payload; raises MalformedEvent for anything unreadable."""
    items = list(headers.items() if isinstance(headers, dict) else headers)
    present = {name.lower() for name, _ in items}
    # The SDK would invent a random id and the current time: both must come from the producer.
    missing = sorted(_REQUIRED_HEADERS - present)
    if missing:
        raise MalformedEvent(f"missing CloudEvents headers: {', '.join(missing)}")
    try:
        message = kafka.KafkaMessage(headers=dict(items), key=None, value=value)
        event = kafka.from_binary(message, _FORMAT)
        attributes = {
            key: value for key, value in event.get_attributes().items() if key != "partitionkey"
        }
        envelope = Envelope.model_validate(attributes)
        data = event.get_data()
    except Exception as error:
        raise MalformedEvent(f"not a readable CloudEvent: {error}") from error
    if not isinstance(data, dict):
        raise MalformedEvent("payload is not a JSON object")
    return envelope, data


def structured(envelope: Envelope, payload: IntegrationEvent) -> dict[str, Any]:
    """The same event in CloudEvents JSON structured form (for HTTP event feeds)."""
    document = envelope.model_dump(mode="json", exclude_none=True)
    document["data"] = payload.model_dump(mode="json")
    return document


def from_structured(document: dict[str, Any]) -> tuple[Envelope, dict[str, Any]]:
    fields = dict(document)
    data = fields.pop("data", None)
    if not isinstance(data, dict):
        raise MalformedEvent("payload is not a JSON object")
    try:
        return Envelope.model_validate(fields), data
    except ValueError as error:
        raise MalformedEvent(str(error)) from error
