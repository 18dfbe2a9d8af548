"""One reverse() for a list's every row.

`{% url %}` in a loop resolves the same pattern once a row (about 0.1 ms each): a list of 20 rows
and a chart of 12 spent more on that than on its queries. `row_links` resolves the address once,
with stand-ins for what changes from row to row, and fills each row's values in.
"""

import re
from collections.abc import Callable

from django.urls import reverse

# Numbers no row has, that every id converter accepts: one per argument that changes by row.
_STAND_INS = [9_876_543_210_123 + index for index in range(4)]


def row_links(viewname: str, *row_kwargs: str, **kwargs) -> Callable[..., str]:
    """A function of the rows' values, in the order of `row_kwargs`, giving
    reverse(viewname, kwargs={**kwargs, **dict(zip(row_kwargs, values))})."""
    stand_ins = dict(zip(row_kwargs, _STAND_INS, strict=False))
    address = reverse(viewname, kwargs={**kwargs, **stand_ins})
    order = {str(number): index for index, number in enumerate(stand_ins.values())}
    pieces = re.split("(" + "|".join(order) + ")", address)
    literals, slots = pieces[::2], [order[piece] for piece in pieces[1::2]]

    def link(*values) -> str:
        filled = [literals[0]]
        for slot, literal in zip(slots, literals[1:], strict=True):
            filled += [str(int(values[slot])), literal]
        return "".join(filled)

    return link
