"""The read budget of one page of a list (invoices, journal entries): whatever its filters, a page
examines at most MAX_ITEMS_READ items and sends at most MAX_QUERIES Query calls. When either runs out,
the page ends early at the last item examined and says more may follow, so a sparse filter costs more
pages, never a longer request."""

from dataclasses import dataclass
from typing import Any

from financing.adapters.aws import client

MAX_ITEMS_READ = 1000  # per page: ten pages' worth before a sparse filter ends the page early
MAX_QUERIES = 40  # per page, every Query counted (edge look-ups included); at least 3


class BudgetSpent(Exception):
    """The page has sent its last allowed Query: it ends where reading stopped."""


@dataclass
class Reads:
    """What one page has read so far: items DynamoDB scanned, and Query calls sent."""

    items: int = 0
    queries: int = 0

    @property
    def queries_left(self) -> int:
        return MAX_QUERIES - self.queries

    def query(self, request: dict[str, Any]) -> dict[str, Any]:
        """One Query, charged to the page's budget; BudgetSpent (and nothing sent) once it is spent."""
        if self.queries >= MAX_QUERIES:
            raise BudgetSpent()
        self.queries += 1
        response = client("dynamodb").query(**request)
        self.items += response.get("ScannedCount", 0)
        return response
