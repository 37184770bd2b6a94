"""What the objectives service does with other services' events: each event of an indicator
source (indicators.py) counts in the unit's indicators, and the targets that follow them
record the new values."""

from qms_contracts import Envelope, IntegrationEvent
from qms_objectives.application import ObjectivesApplication
from qms_objectives.indicators import INDICATOR_SOURCES
from qms_runtime.service import EventCommand


def observe(
    application: ObjectivesApplication, envelope: Envelope, event: IntegrationEvent
) -> None:
    """Idempotent by the event's id, which every indicator it counts in keeps."""
    observations = INDICATOR_SOURCES[type(event)](event)
    if observations:
        application.observe(envelope.id, observations, envelope.correlationid)


EVENT_COMMANDS: dict[type[IntegrationEvent], EventCommand] = dict.fromkeys(
    INDICATOR_SOURCES, observe
)
