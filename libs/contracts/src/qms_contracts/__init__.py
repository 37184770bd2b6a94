"""Integration-event contracts of e-ISO: envelope, Kafka binding, topics and event models.

Other agencies read these events without our code: the envelope is CloudEvents 1.0 in
Kafka binary mode, the payload plain JSON, and every model's JSON Schema is committed.
"""

# Imported after the base: every service's contract module, in one explicit list. Importing
# qms_contracts registers them all, so no service can miss another's event types.
from qms_contracts import audit, objectives, procedures, review, risk
from qms_contracts.base import IntegrationEvent, event_types, model_for_type
from qms_contracts.envelope import Envelope, KafkaRecord, decode, encode, event_id
from qms_contracts.topics import dead_letter_topic, events_topic

CONTRACT_MODULES = (objectives, risk, audit, review, procedures)

__all__ = [
    "CONTRACT_MODULES",
    "Envelope",
    "IntegrationEvent",
    "KafkaRecord",
    "dead_letter_topic",
    "decode",
    "encode",
    "event_id",
    "event_types",
    "events_topic",
    "model_for_type",
]
