"""API glue shared by every handler: resolver factory, auth context, errors, pagination, idempotency."""
