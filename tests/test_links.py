"""groups_site.links.row_links gives exactly what reverse() gives, for any row."""

from django.urls import reverse

from groups_site.links import row_links


def test_a_row_link_is_what_reverse_gives():
    link = row_links("sessions_log:session", "session_pk", pk=7)

    assert [link(pk) for pk in (1, 42, 100000)] == [
        reverse("sessions_log:session", kwargs={"pk": 7, "session_pk": pk}) for pk in (1, 42, 100000)
    ]


def test_several_values_may_change_by_row():
    link = row_links("sessions_log:debrief", "pk", "debrief_pk")

    assert link(3, 9) == reverse("sessions_log:debrief", kwargs={"pk": 3, "debrief_pk": 9})
    assert link(12, 5) == reverse("sessions_log:debrief", kwargs={"pk": 12, "debrief_pk": 5})


def test_only_whole_numbers_go_in():
    link = row_links("groups:plan", "pk")

    assert link("15") == reverse("groups:plan", kwargs={"pk": 15})
