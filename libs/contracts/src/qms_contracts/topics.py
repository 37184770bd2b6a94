"""Topic names: one events topic and one dead-letter topic per owning service."""


def events_topic(service: str) -> str:
    return f"qms.{service}.events.v1"


def dead_letter_topic(service: str) -> str:
    return f"qms.{service}.dlq.v1"
