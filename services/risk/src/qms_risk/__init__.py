"""qms_risk: risk and opportunity management (ISO 9001 6.1)."""
