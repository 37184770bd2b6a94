"""e-ISO procedures service."""
