"""Paging for long lists of reports."""

from django.core.paginator import Page, Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows (COUNT over a LIMIT), so a list or filter matching a million
    reports costs no more to page than one matching 10,000; the page then says "more than
    10,000" and links the pages up to the cap.

    A text search (``searching``) counts nothing: its matches are found through the full-text
    index but a count visits each one, and at 10M reports the count of a common word to 1,001
    cost 60 ms, 514 ms within Jawa Barat (a sequential scan reading 414,000 rows; a bitmap of
    the index reads the word's whole posting list, 200,000 entries, first: 57 ms). A search's
    page is read with one row more than it shows instead, which says whether another follows
    (in the newest-first order, through the created_at indexes, that stops as soon as the page
    is full): the page says "more than <the rows up to this page>" until its last page, which
    knows the total. It links no page past SEARCH_CAP's rows, so an OFFSET stays bounded (at
    10M, "sampah" in Jawa Barat: the first page 9-15 ms warm, the rows past 980 230 ms at load
    11), and a page past the end (a stale link) is the first."""

    CAP = 10_000
    SEARCH_CAP = 500

    def __init__(self, object_list, per_page, *, searching: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.searching = searching
        self.uncounted = searching
        self.cap = self.SEARCH_CAP if searching else self.CAP

    @cached_property
    def count(self) -> int:
        if self.searching:
            return self._seen  # set by get_page: the rows up to the page read
        # Unordered: which rows fill the cap does not change how many there are, and an order
        # the index cannot give (the inbox's deadlines) made the count sort every row first.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        if self.searching:
            return self._more
        return self.count > self.cap

    @property
    def cap_label(self) -> str:
        return number_format(self._seen if self.searching else self.cap, force_grouping=True)

    def get_page(self, number):
        if not self.searching:
            return super().get_page(number)
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        deepest = max(1, self.cap // self.per_page)
        number = min(number, deepest)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            return self.get_page(1)
        shown = rows[: self.per_page]
        self._more = len(rows) > self.per_page
        self._seen = bottom + len(shown)
        self.__dict__.pop("count", None)
        return SearchPage(shown, number, self, has_next=self._more and number < deepest)


class SearchPage(Page):
    """A page of a search: whether another follows is known from the row read past it."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)
