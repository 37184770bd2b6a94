"""qms_gateway."""
