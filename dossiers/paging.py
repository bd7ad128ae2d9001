"""Paging of long dossier lists with a capped count.

An exact COUNT(*) of an agency's dossiers reads every matching row, tens of thousands per page
view. The queue only needs to know whether there are "more than N": counting stops after
QUEUE_COUNT_CAP + 1 rows (``SELECT count(*) FROM (SELECT … LIMIT N + 1)``, an index-only scan in
practice), and the page says "hơn 10.000 hồ sơ" / the API answers ``count_capped: true``.
Paging stops at the cap (an offset past it gives an empty page): narrow the filters instead.
"""

from django.core.paginator import Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from rest_framework.response import Response

from core.pagination import LimitOffsetPagination

QUEUE_COUNT_CAP = 10_000


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    """(number of rows, capped): at most `cap` (QUEUE_COUNT_CAP); capped is True when there are more."""
    cap = cap or QUEUE_COUNT_CAP
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


class CappedPaginator(Paginator):
    """Django Paginator whose count stops at `cap`; `count_capped` tells the template to say "more than"."""

    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap or QUEUE_COUNT_CAP
        self.count_capped = False

    @cached_property
    def count(self) -> int:
        n, self.count_capped = capped_count(self.object_list, self.cap)
        return n

    @property
    def cap_label(self) -> str:
        return number_format(self.cap, force_grouping=True)


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging whose `count` stops at QUEUE_COUNT_CAP (then `count_capped` is true)."""

    @property
    def cap(self) -> int:
        return QUEUE_COUNT_CAP

    def get_count(self, queryset) -> int:
        n, self.count_capped = capped_count(queryset, self.cap)
        return n

    def paginate_queryset(self, queryset, request, view=None):
        """Searches (`q`) page from one list of ids instead of a count and a page query.

        A text search finds its rows through the agency-and-trigram GIN index and sorts them; counting and then
        fetching a page would search twice, and the page query alone may walk the agency's whole
        due-date index when the term is rare. Here one query returns up to cap + 1 matching ids in
        queue order; the count and the page come from that list, and the page's rows are then read
        by primary key.

        A view with a `page_rows(ids)` reads the page's rows with it, given their ids in page order (plain
        tuples, the primary key first) instead of model objects; the count and the ids come from `queryset`.
        """
        page_rows = getattr(view, "page_rows", None)
        if not getattr(view, "single_pass_paging", False):
            if page_rows is None:
                return super().paginate_queryset(queryset, request, view)
            return self._paged_rows(queryset, request, page_rows)
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        ids = list(queryset.values_list("pk", flat=True)[: self.cap + 1])
        self.count_capped = len(ids) > self.cap
        self.count = min(len(ids), self.cap)
        page_ids = ids[self.offset : min(self.offset + self.limit, self.cap)]
        if not page_ids:
            return []
        # By primary key alone: the ids come from the scoped, filtered query, and repeating its text
        # conditions here would only cost the planner another look at the search index.
        if page_rows is not None:
            return page_rows(page_ids)
        reread = queryset.model._base_manager.filter(pk__in=page_ids)
        names, is_defer = queryset.query.deferred_loading
        if names and not is_defer:  # the columns queue_page_queryset() named with .only()
            reread = reread.only(*names)
        rows = reread.in_bulk()
        return [rows[pk] for pk in page_ids if pk in rows]

    def _paged_rows(self, queryset, request, page_rows):
        """DRF's limit/offset paging (LimitOffsetPagination.paginate_queryset), the page read by `page_rows`."""
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.count = self.get_count(queryset)
        self.offset = self.get_offset(request)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        return page_rows(list(queryset.values_list("pk", flat=True)[self.offset : self.offset + self.limit]))

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_capped": self.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"]["description"] = (
            f"Số hồ sơ khớp bộ lọc, đếm tối đa {self.cap}; khi `count_capped` là true thì có nhiều hơn."
        )
        out["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"true khi có hơn {self.cap} hồ sơ (count dừng ở {self.cap}); hãy lọc hẹp hơn.",
        }
        out["required"] = ["count", "count_capped", "results"]
        return out
