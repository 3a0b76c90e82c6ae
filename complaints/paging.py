"""Paging for long lists of reports."""

from django.core.paginator import Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows (COUNT over a LIMIT), so a list or filter matching a million
    reports costs no more to page than one matching 10,000; the page then says "more than
    10,000" and links the pages up to the cap.

    A text search gets a lower cap (SEARCH_CAP): its matches are found through the full-text
    index but counted by visiting each matching row, and a word found in a quarter of a large
    agency's reports made the count alone cost 250 ms at 10,000 (bench/bench_reads.py)."""

    CAP = 10_000
    SEARCH_CAP = 1_000

    def __init__(self, object_list, per_page, *, searching: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = self.SEARCH_CAP if searching else self.CAP

    @cached_property
    def count(self) -> int:
        # Unordered: which rows fill the cap does not change how many there are, and an order
        # the index cannot give (the inbox's deadlines) made the count sort every row first.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_label(self) -> str:
        return number_format(self.cap, force_grouping=True)
