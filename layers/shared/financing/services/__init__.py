"""Use cases: one function per action, taking models and ports, returning models."""
