"""Pismo family: the Pismo-shaped receivables (credit rights) registry, `POST /v1/credit-rights`."""
