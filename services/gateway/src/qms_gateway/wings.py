"""The one place where the gateway's wings are registered: one per owning service."""

from qms_gateway import audit, objectives, procedures, review, risk
from qms_gateway.frame.wing import Wing

WINGS: tuple[Wing, ...] = (
    objectives.WING,
    risk.WING,
    audit.WING,
    review.WING,
    procedures.WING,
)
