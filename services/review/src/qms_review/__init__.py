"""e-ISO review service: management review (9.3) and the yearly ISO activity report."""
