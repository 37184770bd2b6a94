"""qms_local."""
