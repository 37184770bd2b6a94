"""qms_runtime."""
