"""What the API glue refuses before or around a route, for every family: each family's errors module maps
these to its own envelope (families/<family>/errors.py)."""


class Unauthenticated(Exception):
    """No verified tenant in the request (the authorizer did not run or passed nothing)."""


class MissingScope(Exception):
    def __init__(self, scope: str) -> None:
        super().__init__(f"This request needs the '{scope}' scope.")
        self.scope = scope


class PayloadTooLarge(Exception):
    pass


class InvalidIdempotencyKey(Exception):
    pass


class UnsupportedMediaType(Exception):
    pass


class MalformedBody(Exception):
    """The body is not even text (not UTF-8), so it cannot be JSON."""
