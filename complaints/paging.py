"""Paging for long lists of reports."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most CAP rows (COUNT over a LIMIT), so a list or filter matching a million
    reports costs no more to page than one matching 10,000; the page then says "more than
    10,000" and links the first 400 pages."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP
