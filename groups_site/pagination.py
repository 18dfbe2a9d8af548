from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A Paginator for a page that has already counted its rows (say, in the query that works
    out its totals), so it does not ask the database a second time. The count must be of the
    same rows as `object_list`, or the pages will be wrong."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count
