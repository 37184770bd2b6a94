"""Benchmarks of e-ISO: `make bench`."""
