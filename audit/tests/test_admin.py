"""Nobody can change or remove audit records through the app: the access log's admin is read-only,
and no history (simple-history's admin with its revert views) is exposed anywhere."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import get_resolver
from simple_history.admin import SimpleHistoryAdmin

from accounts.tests.factories import UserFactory
from audit.models import AccessEvent
from audit.services import record_access
from sessions_log.tests.records import history_models

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    return request


def test_the_access_log_admin_offers_no_add_change_or_delete(superuser_request):
    event = record_access(user=superuser_request.user, action=AccessEvent.Action.VIEWED_HISTORY)
    model_admin = admin.site._registry[AccessEvent]

    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request, event)
    assert not model_admin.has_delete_permission(superuser_request)
    assert not model_admin.has_delete_permission(superuser_request, event)
    assert model_admin.get_actions(superuser_request) == {}


def test_even_a_superuser_cannot_delete_or_change_an_access_event_in_the_admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    event = record_access(user=None, action=AccessEvent.Action.ERASED_MEMBER, detail="Asked in writing.")

    delete = client.post(f"/admin/audit/accessevent/{event.pk}/delete/", {"post": "yes"})
    change = client.post(f"/admin/audit/accessevent/{event.pk}/change/", {"detail": "Nothing happened."})

    assert delete.status_code == 403
    assert change.status_code in (200, 403)  # the view page, read-only: a POST changes nothing
    event.refresh_from_db()
    assert event.detail == "Asked in writing."


def test_no_history_admin_with_revert_views_is_registered():
    assert not [
        model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert not set(history_models()) & set(admin.site._registry)


def test_no_url_leads_to_a_history_revert_view():
    names = [str(pattern.pattern) for pattern in get_resolver().url_patterns]
    admin_urls = [str(pattern.pattern) for pattern in admin.site.get_urls()]
    for model_admin in admin.site._registry.values():
        admin_urls += [str(pattern.pattern) for pattern in model_admin.get_urls()]

    assert not [address for address in names + admin_urls if "history/<" in address and "revert" in address]
    assert not [address for address in admin_urls if address.startswith("<path:object_id>/history/<")]
