"""The composition root: the use cases wired to the real adapters, for the handlers (tests wire fakes).
One module per area, so that a handler loads only the adapters its use cases need."""
