"""Core family (Stenn-shaped): `/v1/...` objects with `object` and prefixed ids."""
