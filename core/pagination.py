"""limit/offset paging of the API's lists, within what a database integer holds.

DRF's LimitOffsetPagination takes any positive integer: `?limit=18446744073709551615` went to the database as
`LIMIT 18446744073709551615`, past PostgreSQL's bigint, and the answer was a 500. Here a limit above
MAX_LIMIT is read as MAX_LIMIT (DRF's `max_limit`: a client asking for "everything" gets the largest page),
and an offset above MAX_OFFSET is refused with a 400 naming the `offset` field: no list of the platform is
that long, and a silently changed offset would page somewhere else than asked. A limit or offset that is not
a positive integer keeps DRF's reading (the default limit, offset 0).
"""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_offset(self, request):
        offset = super().get_offset(request)
        if offset > MAX_OFFSET:
            raise ValidationError(
                {self.offset_query_param: [f"Vị trí bắt đầu (offset) tối đa là {MAX_OFFSET:,}.".replace(",", ".")]}
            )
        return offset
