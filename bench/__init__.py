"""Benchmarks behind `aspirasi bench`: figures for BENCHMARKS.md, not tests."""
