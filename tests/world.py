"""One group with one of everything in it, the people around it, and every URL of the project
filled in with that group's ids. Shared by the URL walk and the hostile-input tests.

The group's team is a coordinator, a lead facilitator, a co-facilitator and a supervisor.
Charlie holds every one of those roles, but in other groups (coordinating and facilitating one,
supervising another, as nobody coordinates and supervises the same group): an outsider who knows
the app well. Nadia is signed in with no role anywhere.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from concerns.models import Concern
from concerns.tests.factories import ComplaintFactory, ConcernFactory
from groups.models import AimReview, AimStanding, GroupRole, SupportGroup
from groups.tests.factories import GroupRoleFactory, SupportGroupFactory, complete_plan
from invitations.models import Invitation
from reports.models import CalendarFeed
from sessions_log.models import GroupSession, Member, MemberRequest, Signposting
from sessions_log.tests.factories import (
    AbsencePolicyFactory,
    AttendanceFactory,
    DebriefFactory,
    DebriefNoteFactory,
    DebriefReviewFactory,
    FollowUpFactory,
    GroupSessionFactory,
    LessonFactory,
    MemberFactory,
)

Role = GroupRole.Role

INSIDERS = ("coordinator", "facilitator", "cofacilitator", "supervisor")
OUTSIDERS = ("outsider", "no_role", "anonymous")


@dataclass
class World:
    group: SupportGroup
    other_group: SupportGroup
    people: dict  # role name -> user (None for "anonymous")
    objects: dict  # URL keyword -> the object of `group` it names
    # Text that only people with a role in `group` may ever be shown.
    secrets: list[str] = field(default_factory=list)


def build_world() -> World:
    people = {
        "coordinator": UserFactory(username="alice"),
        "facilitator": UserFactory(username="bob"),
        "cofacilitator": UserFactory(username="cora"),
        "supervisor": UserFactory(username="sam"),
        "outsider": UserFactory(username="charlie"),
        "no_role": UserFactory(username="nadia"),
        "anonymous": None,
    }
    # The organisation trusts the coordinator to plan new groups, and the supervisor and Nadia to
    # supervise (so the support plan's supervisor picker has someone to offer).
    people["coordinator"].user_permissions.add(Permission.objects.get(codename="add_supportgroup"))
    for name in ("supervisor", "no_role"):
        people[name].user_permissions.add(Permission.objects.get(codename="supervise_groups"))
    launched = {"status": SupportGroup.Status.ACTIVE, "launched_at": timezone.now()}
    group = SupportGroupFactory(name="Quayside secret group", **launched)
    complete_plan(group, facilitator=people["facilitator"], supervisor=people["supervisor"])
    GroupRoleFactory(group=group, user=people["coordinator"], role=Role.COORDINATOR)
    cofacilitation = GroupRoleFactory(group=group, user=people["cofacilitator"], role=Role.CO_FACILITATOR)

    other_group = SupportGroupFactory(name="Hilltop group", **launched)
    for role in (Role.COORDINATOR, Role.LEAD_FACILITATOR):
        GroupRoleFactory(group=other_group, user=people["outsider"], role=role)
    # Nobody coordinates and supervises one group: charlie supervises a third.
    GroupRoleFactory(
        group=SupportGroupFactory(name="Lowfield group", **launched), user=people["outsider"], role=Role.SUPERVISOR
    )
    MemberFactory(group=other_group, display_name="Hilda")

    today = timezone.localdate()
    robin = MemberFactory(group=group, display_name="Robinia")
    MemberFactory(group=group, display_name="Wrenna", status=Member.Status.WAITING_LIST)
    AbsencePolicyFactory(group=group)
    held = GroupSessionFactory(
        group=group,
        date=today - datetime.timedelta(days=7),
        facilitators_present=[people["facilitator"], people["cofacilitator"]],
        register_taken_at=timezone.now(),
    )
    GroupSessionFactory(
        group=group,
        date=today - datetime.timedelta(days=14),
        outcome=GroupSession.Outcome.DID_NOT_RUN,
        not_run_reason=GroupSession.NotRunReason.HOLIDAY,
    )
    AttendanceFactory(session=held, member=robin)
    # Robinia asked for her records: the supervisor answers for the debrief material naming her.
    MemberRequest.objects.create(member=robin, opened_by=people["coordinator"], opened_at=timezone.now())
    follow_up = FollowUpFactory(member=robin, session=held, assignee=people["facilitator"])
    LessonFactory(group=group, session=held, what_worked="Quayside lesson: tea first")
    debrief = DebriefFactory(session=held, author=people["facilitator"], how_it_went="Quayside debrief words")
    reviewed = DebriefFactory(session=held, author=people["cofacilitator"], how_it_went="Quayside reviewed words")
    DebriefReviewFactory(debrief=reviewed, reviewer=people["supervisor"], comments="Quayside review words")
    DebriefNoteFactory(debrief=reviewed, author=people["supervisor"], text="Quayside note words on Robinia")
    concern = ConcernFactory(
        session=held, member=robin, kind=Concern.Kind.RISK_TO_LIFE, what_was_done="Quayside concern words"
    )
    complaint = ComplaintFactory(group=group, summary="Quayside complaint words")
    # After launch: the aims reviewed once (the group page charts it), and someone the full group
    # had no room for signposted elsewhere (the member list shows where).
    aims_review = AimReview.objects.create(group=group, reviewed_on=today, recorded_by=people["facilitator"])
    AimStanding.objects.create(review=aims_review, aim=group.aims.get(), scale=3, words="Quayside aims words")
    Signposting.objects.create(group=group, signposted_on=today, where_to="Quayside signposting words")
    # The co-facilitator follows the group's meetings in a calendar app (so the calendar page
    # has forms to renew and revoke the feed's address).
    CalendarFeed.objects.create(user=people["cofacilitator"], group=group)
    # Someone invited to join the team who has not accepted yet.
    invitation = Invitation.objects.create(
        group=group,
        role=Role.CO_FACILITATOR,
        name="Quinnella Invited",
        email="quinnella@example.org",
        invited_by=people["coordinator"],
        sent_at=timezone.now(),
        expires_at=timezone.now() + Invitation.LIFETIME,
    )

    objects = {
        "pk": group,
        "aim_pk": group.aims.get(),
        "rule_pk": group.rules.get(),
        "role_pk": cofacilitation,
        "member_pk": robin,
        "follow_up_pk": follow_up,
        "session_pk": held,
        "debrief_pk": debrief,
        "invitation_pk": invitation,
        "concern_pk": concern,
        "complaint_pk": complaint,
    }
    secrets = [
        group.name,
        "Robinia",
        "Wrenna",
        "Quayside lesson",
        "Quayside debrief words",
        "Quayside reviewed words",
        "Quayside review words",
        "Quayside note words",
        "Quinnella",
        "Quayside concern words",
        "Quayside complaint words",
        "Quayside aims words",
        "Quayside signposting words",
    ]
    return World(group=group, other_group=other_group, people=people, objects=objects, secrets=secrets)


# Every URL -------------------------------------------------------------------------------------

# Keywords that are not ids of the world's group: a value that exercises the page.
FIXED_KWARGS = {
    "section": "purpose",
    "action": "close",
    # The admin's and the auth views' own keywords.
    "app_label": "groups",
    "url": "",
    "uidb64": "MQ",
    "token": "not-a-real-token",
    "version_id": "1",
}


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name
    pattern: str
    url: str
    # Whether the URL names the world's group or something in it.
    names_group: bool


def _flatten(patterns, namespace="", prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _flatten(entry.url_patterns, inner or "", prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespace, entry, prefix + str(entry.pattern)


def _keywords(pattern_text: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", pattern_text) + re.findall(r"\(\?P<(\w+)>", pattern_text)


class UnfilledKeyword(Exception):
    pass


def every_route(world: World) -> tuple[list[Route], list[str]]:
    """Every named URL pattern of the project, reversed with the world's ids; and the patterns
    that have no name (so cannot be reversed), for the caller to account for."""
    ids = {keyword: obj.pk for keyword, obj in world.objects.items()}
    # The admin's object pages: a group, and a member of its team for the user pages.
    fixed = {**FIXED_KWARGS, "object_id": str(world.group.pk), "id": world.people["coordinator"].pk}
    fixed["content_type_id"] = ContentType.objects.get_for_model(SupportGroup).pk
    routes, unnamed = {}, []
    for namespace, entry, pattern_text in _flatten(get_resolver().url_patterns):
        if not entry.name:
            # The admin's old-style object URLs (they redirect to the change page) can still be
            # filled in by hand; a bare regex (the admin's catch-all) is left to the caller.
            if re.fullmatch(r"admin/[\w/]+/<path:object_id>/", pattern_text):
                url = "/" + pattern_text.replace("<path:object_id>", str(world.group.pk))
                routes.setdefault(url, Route(name=pattern_text, pattern=pattern_text, url=url, names_group=False))
            else:
                unnamed.append(pattern_text)
            continue
        name = f"{namespace}:{entry.name}" if namespace else entry.name
        kwargs = {}
        for keyword in _keywords(pattern_text):
            if keyword in ids:
                kwargs[keyword] = ids[keyword]
            elif keyword in fixed:
                kwargs[keyword] = fixed[keyword]
            else:
                raise UnfilledKeyword(
                    f"{pattern_text!r} ({name}) takes <{keyword}>: add what it names to tests/world.py "
                    "(build_world's `objects`, or FIXED_KWARGS)"
                )
        url = _reverse_exactly(name, kwargs, pattern_text)
        # The admin is for superusers only, whatever its URLs name; everyone here is refused it.
        names_group = any(keyword in ids for keyword in kwargs) and not name.startswith("admin:")
        routes.setdefault(url, Route(name=name, pattern=pattern_text, url=url, names_group=names_group))
    return list(routes.values()), unnamed


def _reverse_exactly(name, kwargs, pattern_text):
    """reverse() finds the first pattern with the name; where several share a name (the admin's),
    fall back to filling this pattern's text itself."""
    url = reverse(name, kwargs=kwargs or None)
    if _keywords(pattern_text) and not all(str(value) in url for value in kwargs.values() if value != ""):
        filled = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), pattern_text)
        url = "/" + filled
    return url
