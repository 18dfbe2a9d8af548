"""Reading the audit trail. Nothing here changes or removes an audit record: the app offers no
way to, and the admin shows the access log read-only."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from groups.permissions import group_view

from .history import describe_history, group_history
from .models import AccessEvent
from .permissions import can_read_history
from .services import record_access

HISTORY_PER_PAGE = 50


@never_cache
@group_view(can_read_history)
def group_history_page(request, group):
    page = Paginator(group_history(group), HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    entries = describe_history(list(page.object_list), user=request.user, group=group)
    record_access(
        user=request.user, action=AccessEvent.Action.VIEWED_HISTORY, group=group, detail=f"page {page.number}"
    )
    return render(request, "audit/group_history.html", {"group": group, "page": page, "entries": entries})
