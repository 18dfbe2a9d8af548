from django.core.paginator import InvalidPage, Page, Paginator
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


def page_counted_in_its_query(queryset, per_page: int, number, *, count_attribute: str) -> Page:
    """A page of `queryset`, whose rows each carry the count of all its rows as `count_attribute`
    (a window function, such as Debrief.objects.with_waiting_counts): the page and the count in
    one query. As Paginator.get_page, a page number that is not one gives the first page, and one
    past the end the last (a second query, only then)."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    rows = list(queryset[(number - 1) * per_page : number * per_page])
    if rows:
        count = getattr(rows[0], count_attribute)
        return Page(rows, number, CountedPaginator(queryset, per_page, count=count))
    if number == 1:
        return Page(rows, 1, CountedPaginator(queryset, per_page, count=0))
    try:
        return CountedPaginator(queryset, per_page, count=queryset.count()).page(number)
    except InvalidPage:
        return CountedPaginator(queryset, per_page, count=queryset.count()).get_page(number)
