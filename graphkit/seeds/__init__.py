"""Influence maximization: which k users to seed (IMM and baselines)."""
