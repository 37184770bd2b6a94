"""e-ISO audit service: internal audit (9.2) and nonconformity with corrective action (10.2)."""
