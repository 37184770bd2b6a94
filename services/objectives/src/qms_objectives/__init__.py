"""qms_objectives."""
