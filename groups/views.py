"""Pages for planning a group. Each view checks access through `group_view`, calls the model
or a service, says what happened, and redirects."""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.permissions import can_read_history
from concerns.permissions import can_record_complaint_now, can_view_complaints, can_view_concerns
from groups_site.links import row_links
from groups_site.refusals import show_refusal
from invitations.services import invite_to_team
from sessions_log.models import Member

from .aims_progress import aims_progress
from .answers import Question, questions, shown_detail
from .checklist import SAFETY_CRITICAL_EXPLANATION, SECTIONS, SECTIONS_BY_SLUG, UNDER_18_EXPLANATION, items_in_section
from .closing import close_group, members_leaving_with_the_group
from .forms import (
    PEOPLE_LIST_ID,
    AimForm,
    ChecklistAnswerForm,
    CloseGroupForm,
    ExitStrategyForm,
    FacilitatorSupportPlanForm,
    LaunchForm,
    RiskAssessmentForm,
    RiskFormSet,
    RuleForm,
    SupervisorForm,
    SupportGroupForm,
    TeamMemberForm,
)
from .models import (
    Aim,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    InvalidStatusTransition,
    Rule,
    SupportGroup,
    aims_review_refusal,
)
from .permissions import (
    CANNOT_CREATE_GROUP,
    can_change_status,
    can_create_group,
    can_edit_plan,
    can_launch_group,
    can_manage_team,
    can_record_aims_review,
    group_view,
    person_view,
)
from .planning import (
    LaunchBlocked,
    checklist_progress,
    checklist_progress_of,
    document_progress,
    launch_blockers_with_links,
    launch_group,
    launch_warnings,
    plan_gaps,
)
from .services import (
    STATUS_ACTIONS,
    ChangedSinceOpened,
    ContactDetailsHeld,
    add_suggested_aim,
    add_team_role,
    change_group_status,
    choose_supervisor,
    create_group,
    remove_aim,
    remove_rule,
    remove_team_role,
    save_aim,
    save_checklist_section,
    save_group_details,
    save_plan_document,
    save_rule,
    start_risk_assessment,
    status_changes_for,
)
from .suggestions import RISK_SEEDS, SUGGESTED_AIMS

GROUPS_PER_PAGE = 50


def home(request):
    # Paged, for the administrator who sees every group of the organisation: a coordinator's
    # groups fit on the first page.
    visible = SupportGroup.objects.visible_to(request.user).with_documents().order_by("name", "pk")
    page = Paginator(visible, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    groups = list(page)
    my_roles = defaultdict(list)
    for group_id, role in (
        GroupRole.objects.filter(user=request.user, group__in=groups).order_by().values_list("group_id", "role")
    ):
        my_roles[group_id].append(GroupRole.Role(role).label)
    # The checklist's progress is for groups still being planned (a launched group's plan page
    # lists what it lacks). It counts answers that live elsewhere in the plan too, so reading it
    # costs: one query reads the plans of the page's groups in planning, and only theirs.
    progress = checklist_progress_of([group for group in groups if group.is_planning])
    plan_url = row_links("groups:plan", "pk")
    rows = [
        {
            "group": group,
            "url": plan_url(group.pk),
            "roles": sorted(my_roles[group.pk]),
            "sections_done": sum(section.is_complete for section in progress.get(group.pk, ())),
            "sections_total": len(progress.get(group.pk, ())),
        }
        for group in groups
    ]
    return render(
        request, "groups/home.html", {"rows": rows, "page": page, "can_create_group": can_create_group(request.user)}
    )


@person_view(can_create_group, refusal=CANNOT_CREATE_GROUP)
def group_create(request):
    form = SupportGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = create_group(group=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, f"\u201c{group}\u201d has been created. You are its coordinator.")
            return redirect(group)
    return render(request, "groups/supportgroup_form.html", {"form": form})


def _plan_context(request, group, *, launch_form=None) -> dict:
    """What the plan page shows: progress, what blocks launch (or resuming), the warnings to read
    first, and for a running group what its plan still lacks."""
    progress = checklist_progress(group)
    can_go_live = group.can_move_to(SupportGroup.Status.ACTIVE)  # in planning, or paused
    blockers = launch_blockers_with_links(group) if can_go_live else []
    warnings = launch_warnings(group) if not group.is_closed else []
    may_launch = can_go_live and can_launch_group(request.user, group)
    return {
        "group": group,
        "progress": progress,
        "sections_done": sum(section.is_complete for section in progress),
        "blockers": blockers,
        "warnings": warnings,
        # A running group's plan can still gain gaps: a question added since launch, a lower age.
        "gaps": plan_gaps(group) if group.is_running else [],
        "risk_review_overdue": group.risk_review_is_overdue(),
        "documents": [
            ("Risk assessment", document_progress(group.risk_assessment_or_none), "groups:risk_assessment"),
            ("Exit strategy", document_progress(group.exit_strategy_or_none), "groups:exit_strategy"),
            ("Facilitator-support plan", document_progress(group.support_plan_or_none), "groups:support_plan"),
        ],
        "can_edit_plan": can_edit_plan(request.user, group),
        "shows_launch": can_go_live,
        "launch_move": group.ALLOWED_TRANSITIONS[group.status].get(SupportGroup.Status.ACTIVE),
        "can_launch": may_launch and not blockers,
        "launch_form": launch_form or LaunchForm(has_warnings=bool(warnings)),
        "status_changes": status_changes_for(group) if can_change_status(request.user, group) else [],
        "can_close": can_change_status(request.user, group) and group.can_move_to(SupportGroup.Status.CLOSED),
        "can_manage_team": can_manage_team(request.user, group),
        "can_read_history": can_read_history(request.user, group),
        "can_view_concerns": can_view_concerns(request.user, group),
        "can_view_complaints": can_view_complaints(request.user, group),
        "can_record_complaint": can_record_complaint_now(request.user, group),
        # After launch the aims are revisited: where the group has stood against each, over time.
        "aims_progress": aims_progress(group, group.aims.all()) if group.launched_at is not None else None,
        "can_record_aims_review": group.launched_at is not None
        and aims_review_refusal(group) is None
        and can_record_aims_review(request.user, group),
    }


@group_view(plan=True)
def plan(request, group):
    return render(request, "groups/supportgroup_plan.html", _plan_context(request, group))


@group_view(can_edit_plan)
def group_edit(request, group):
    form = SupportGroupForm(request.POST or None, instance=group)
    changed_meanwhile = []
    contact_details_held = False
    if request.method == "POST" and form.is_valid():
        try:
            save_group_details(
                group=form.instance, expected_version=form.cleaned_data["opened_version"], by=request.user
            )
        except ChangedSinceOpened as refusal:
            form, changed_meanwhile = _details_saved_meanwhile(request, form, refusal)
        except ValidationError as refusal:
            show_refusal(form, refusal)
            # Turning off held contact details erases them: the page links to its confirmation.
            contact_details_held = isinstance(refusal, ContactDetailsHeld)
        else:
            messages.success(request, "The group's details have been saved.")
            return redirect(group)
    return render(
        request,
        "groups/supportgroup_form.html",
        {
            "form": form,
            "group": group,
            "changed_meanwhile": changed_meanwhile,
            "contact_details_held": contact_details_held,
        },
    )


def _details_saved_meanwhile(request, form, refusal):
    """The form again with the person's typing, now carrying the version saved meanwhile (so
    saving again keeps theirs, knowingly), and each detail where the two differ."""
    stored = refusal.current
    yours = form.instance
    differences = [
        (form.fields[name].label or name, shown_detail(stored, name), shown_detail(yours, name))
        for name in form.fields
        if name != "opened_version" and shown_detail(stored, name) != shown_detail(yours, name)
    ]
    data = request.POST.copy()
    data["opened_version"] = str(stored.version)
    again = SupportGroupForm(data, instance=SupportGroup.objects.get(pk=stored.pk))
    again.is_valid()
    again.add_error(None, refusal.message)
    return again, differences


@require_POST
@group_view(write=can_launch_group, plan=True)
def launch(request, group):
    """Launch a group in planning, or resume a paused one: the same gate either way."""
    form = LaunchForm(request.POST, has_warnings=bool(launch_warnings(group)))
    if not form.is_valid():
        # The box beside the button was not ticked: the page again, with the reason beside it.
        return render(request, "groups/supportgroup_plan.html", _plan_context(request, group, launch_form=form))
    try:
        launch_group(
            group=group, by=request.user, acknowledged_warnings=form.cleaned_data.get("acknowledged_warnings", False)
        )
    except LaunchBlocked as refusal:
        if len(refusal.blockers) == 1:
            messages.error(request, f"The group cannot launch: {refusal.blockers[0]}")
        else:
            messages.error(request, f"The group cannot launch yet: {len(refusal.blockers)} things still need doing.")
    else:
        messages.success(request, f"\u201c{group}\u201d is now active.")
    return redirect(group)


@require_POST
@group_view(write=can_change_status)
def change_status(request, group, action):
    if action not in STATUS_ACTIONS:
        raise Http404
    try:
        group = change_group_status(group=group, action=action, by=request.user)
    except InvalidStatusTransition as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"\u201c{group}\u201d is now {group.get_status_display().lower()}.")
    return redirect(group)


@group_view(can_change_status)
def close(request, group):
    """Closing for good, on a page of its own: what the exit strategy says about ending the group
    and what members were promised, then the group's name typed to confirm."""
    if group.is_closed:
        messages.info(request, f"\u201c{group}\u201d is already closed.")
        return redirect(group)
    strategy = group.exit_strategy_or_none
    leaving = {
        status: count
        for status, count in members_leaving_with_the_group(group)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    }
    attending, waiting = leaving.get(Member.Status.ACTIVE, 0), leaving.get(Member.Status.WAITING_LIST, 0)
    form = CloseGroupForm(
        request.POST or None,
        needs_aftercare=bool(attending or waiting),
        initial={"aftercare": (strategy.members_leaving if strategy else "")[:1_000]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            close_group(
                group=group,
                typed_name=form.cleaned_data["typed_name"],
                aftercare=form.cleaned_data.get("aftercare", ""),
                by=request.user,
            )
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            left = attending + waiting
            messages.success(
                request,
                f"\u201c{group}\u201d is closed."
                + (
                    f" {left} member{pluralize(left)} recorded as having left, with the aftercare offered."
                    if left
                    else ""
                ),
            )
            return redirect(group)
    return render(
        request,
        "groups/supportgroup_close.html",
        {"group": group, "strategy": strategy, "attending": attending, "waiting": waiting, "form": form},
    )


# Aims and rules: a list with an add form on the same page.
@group_view(write=can_edit_plan)
def aims(request, group):
    form = AimForm(request.POST or None, instance=Aim(group=group))
    if saved := _save_plan_item(request, group, form, save_aim, "aim", "added"):
        return saved
    existing = {aim.text for aim in group.aims.all()}
    suggestions = [text for text in SUGGESTED_AIMS if text not in existing]
    return render(
        request,
        "groups/aim_list.html",
        {
            "group": group,
            "form": form,
            "aims": group.aims.all(),
            "suggestions": suggestions,
            "can_edit_plan": can_edit_plan(request.user, group),
        },
    )


@require_POST
@group_view(write=can_edit_plan)
def aim_add_suggestion(request, group):
    text = request.POST.get("text", "")
    if text not in SUGGESTED_AIMS:
        raise Http404
    add_suggested_aim(group=group, text=text, by=request.user)
    messages.success(request, "The suggested aim has been added. You can edit it to fit your group.")
    return redirect("groups:aims", pk=group.pk)


@group_view(can_edit_plan)
def aim_edit(request, group, aim_pk):
    aim = get_object_or_404(group.aims, pk=aim_pk)
    form = AimForm(request.POST or None, instance=aim)
    if saved := _save_plan_item(request, group, form, save_aim, "aim", "saved"):
        return saved
    return render(request, "groups/aim_form.html", {"group": group, "form": form, "aim": aim})


@group_view(can_edit_plan)
def aim_delete(request, group, aim_pk):
    """Asks first (GET), then removes (POST)."""
    return _remove(request, group, remove_aim, aim=get_object_or_404(group.aims, pk=aim_pk))


def _remove(request, group, service, **item):
    """Remove an aim or a rule once the coordinator has confirmed it on a page of its own, saying
    so, or saying why not (someone removed it meanwhile)."""
    noun, thing = next(iter(item.items()))
    back = f"groups:{noun}s"
    if request.method != "POST":
        return render(
            request,
            "groups/plan_item_confirm_delete.html",
            {"group": group, "noun": noun, "thing": thing, "back": back},
        )
    try:
        service(**item, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, f"The {noun} has been removed.")
    return redirect(back, pk=group.pk)


def _save_plan_item(request, group, form, service, noun, done):
    """On a valid POST, save the aim or rule through its service, say so (with the guidance's
    warning about its wording, if it has one) and return the redirect to its list; otherwise None,
    and the page shows the form again with why."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        item = service(**{noun: form.instance}, by=request.user)
    except ValidationError as refusal:
        show_refusal(form, refusal)
        return None
    messages.success(request, f"The {noun} has been {done}.")
    _warn_about(request, item)
    return redirect(f"groups:{noun}s", pk=group.pk)


def _warn_about(request, rule_or_aim):
    """The guidance's judgement, after saving a rule that reads like a no-harm contract or an aim
    about stopping self-harm. It is saved all the same: the coordinator decides."""
    if rule_or_aim.warning:
        messages.warning(request, f"{rule_or_aim.warning} It has been saved; consider rewording it.")


@group_view(write=can_edit_plan)
def rules(request, group):
    form = RuleForm(request.POST or None, instance=Rule(group=group))
    if saved := _save_plan_item(request, group, form, save_rule, "rule", "added"):
        return saved
    return render(
        request,
        "groups/rule_list.html",
        {
            "group": group,
            "form": form,
            "rules": group.rules.all(),
            "can_edit_plan": can_edit_plan(request.user, group),
        },
    )


@group_view(can_edit_plan)
def rule_edit(request, group, rule_pk):
    rule = get_object_or_404(group.rules, pk=rule_pk)
    form = RuleForm(request.POST or None, instance=rule)
    if saved := _save_plan_item(request, group, form, save_rule, "rule", "saved"):
        return saved
    return render(request, "groups/rule_form.html", {"group": group, "form": form, "rule": rule})


@group_view(can_edit_plan)
def rule_delete(request, group, rule_pk):
    """Asks first (GET), then removes (POST)."""
    return _remove(request, group, remove_rule, rule=get_object_or_404(group.rules, pk=rule_pk))


@dataclass(frozen=True)
class ChecklistRow:
    """One question on a section's page: its form when it is asked here, or where its answer
    lives; and, after a refused save, the answer someone else saved meanwhile."""

    question: Question
    form: ChecklistAnswerForm | None = None
    saved_meanwhile: ChecklistAnswer | None = None
    changed_meanwhile: bool = False


def _section_forms(data, group, section_questions) -> dict[str, ChecklistAnswerForm]:
    return {
        question.item.key: ChecklistAnswerForm(
            data,
            item=question.item,
            instance=question.answer or ChecklistAnswer(group=group, item_key=question.item.key),
        )
        for question in section_questions
        if not question.is_answered_elsewhere
    }


def _after_a_clash(data, group, section_questions, forms, newer) -> dict[str, ChecklistAnswerForm]:
    """The section again after a refused save: what the person changed, with their typing, now
    carrying the versions saved meanwhile (saving again keeps theirs, knowingly); what they left
    alone, as it is stored now."""
    data = data.copy()
    for key, answer in newer.items():
        data[f"{key}-opened_version"] = str(answer.version if answer else 0)
    again = _section_forms(data, group, section_questions)
    untouched = [key for key, form in forms.items() if not form.has_changed()]
    again |= _section_forms(None, group, [question for question in section_questions if question.item.key in untouched])
    for form in again.values():
        form.is_valid()
    return again


def _after(section: str) -> str | None:
    """The section that follows, or None after the last."""
    slugs = [each.slug for each in SECTIONS]
    index = slugs.index(section) + 1
    return slugs[index] if index < len(slugs) else None


@group_view(write=can_edit_plan, plan=True)
def checklist_section(request, group, section):
    if section not in SECTIONS_BY_SLUG:
        raise Http404
    section_questions = questions(group, items_in_section(section, group))
    data = request.POST if request.method == "POST" else None
    forms = _section_forms(data, group, section_questions)
    newer = {}
    if data is not None:
        if all([form.is_valid() for form in forms.values()]):
            try:
                changed = save_checklist_section(group=group, forms=list(forms.values()), by=request.user)
            except ChangedSinceOpened as refusal:
                newer = refusal.current
                forms = _after_a_clash(data, group, section_questions, forms, newer)
                messages.error(request, refusal.message)
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
            else:
                messages.success(request, f"Saved: {changed} answer{pluralize(changed)} changed.")
                following = _after(section)
                if request.POST.get("then") == "next" and following:
                    return redirect("groups:checklist_section", pk=group.pk, section=following)
                return redirect(group)
    following = _after(section)
    return render(
        request,
        "groups/checklist_section.html",
        {
            "group": group,
            "section": SECTIONS_BY_SLUG[section],
            "rows": [
                ChecklistRow(
                    question,
                    forms.get(question.item.key),
                    newer.get(question.item.key),
                    question.item.key in newer,
                )
                for question in section_questions
            ],
            "forms": list(forms.values()),
            "next_section": SECTIONS_BY_SLUG[following] if following else None,
            "safety_critical_explanation": SAFETY_CRITICAL_EXPLANATION,
            "under_18_explanation": UNDER_18_EXPLANATION,
            "can_edit_plan": can_edit_plan(request.user, group),
        },
    )


@group_view(write=can_edit_plan, plan=True)
def risk_assessment(request, group):
    editable = can_edit_plan(request.user, group)
    assessment = group.risk_assessment_or_none
    if assessment is None:
        if request.method == "POST":
            start_risk_assessment(group=group, by=request.user)
            messages.success(request, "The risk assessment has been started with the risks the guidance names.")
            return redirect("groups:risk_assessment", pk=group.pk)
        return render(
            request,
            "groups/riskassessment_form.html",
            {
                "group": group,
                "can_edit_plan": editable,
                "seed_count": len(RISK_SEEDS),
            },
        )

    if request.method == "POST" and "put_back_starting_risks" in request.POST:
        start_risk_assessment(group=group, by=request.user)
        messages.success(request, "The starting risks from the guidance are back on the assessment: rate each one.")
        return redirect("groups:risk_assessment", pk=group.pk)
    data = request.POST if request.method == "POST" else None
    form = RiskAssessmentForm(data, instance=assessment)
    formset = RiskFormSet(data, instance=assessment, prefix="risks")
    if data is not None:
        if form.is_valid() and formset.is_valid():
            try:
                save_plan_document(
                    form=form, formset=formset, expected_version=form.cleaned_data["opened_version"], by=request.user
                )
            except ValidationError as refusal:
                # Shown at the top of the form, which keeps the person's typing.
                form.add_error(None, refusal)
            else:
                messages.success(request, "The risk assessment has been saved.")
                return redirect("groups:risk_assessment", pk=group.pk)
    return render(
        request,
        "groups/riskassessment_form.html",
        {
            "group": group,
            "assessment": assessment,
            "missing_starting_risks": assessment.missing_starting_risks(),
            "form": form,
            "formset": formset,
            "can_edit_plan": editable,
        },
    )


def _plan_document(
    request, group, *, model, form_class, title, intro, template="groups/plandocument_form.html", data=None, extra=None
):
    editable = can_edit_plan(request.user, group)
    document = model.objects.filter(group=group).first() or model(group=group)
    form = form_class(data, instance=document)
    if data is not None:
        if form.is_valid():
            try:
                save_plan_document(form=form, expected_version=form.cleaned_data["opened_version"], by=request.user)
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                messages.success(request, f"The {title.lower()} has been saved.")
                return redirect(group)
    return render(
        request,
        template,
        {
            "group": group,
            "document": document,
            "form": form,
            "title": title,
            "intro": intro,
            "can_edit_plan": editable,
            **(extra or {}),
        },
    )


@group_view(write=can_edit_plan)
def exit_strategy(request, group):
    return _plan_document(
        request,
        group,
        data=request.POST or None,
        model=ExitStrategy,
        form_class=ExitStrategyForm,
        title="Exit strategy",
        intro="How members move on, how the group would end, and what happens when it cannot meet. "
        "Drawn from \u201cRunning self-harm support groups\u201d and LifeSIGNS' guidance.",
    )


def _support_plan_page(request, group, *, data=None, supervisor_form=None):
    # The supervisor is named here, where the launch gate sends a coordinator to name one
    # (12.9): the team's supervisor picker, among the people allowed to supervise.
    if supervisor_form is None and can_manage_team(request.user, group):
        supervisor_form = SupervisorForm(group=group)
    return _plan_document(
        request,
        group,
        data=data,
        model=FacilitatorSupportPlan,
        form_class=FacilitatorSupportPlanForm,
        title="Facilitator-support plan",
        template="groups/facilitatorsupportplan_form.html",
        intro="How the people running the group are supervised, debriefed, covered and looked after. "
        "Drawn from LifeSIGNS' guidance, \u201cRunning self-harm support groups\u201d and "
        "\u201cSelf-harm FAQs for professionals\u201d.",
        extra={"supervisor_form": supervisor_form},
    )


@group_view(write=can_edit_plan)
def support_plan(request, group):
    return _support_plan_page(request, group, data=request.POST or None)


@require_POST
@group_view(write=can_manage_team)
def choose_supervisor_view(request, group):
    form = SupervisorForm(request.POST, group=group)
    if form.is_valid():
        try:
            choose_supervisor(group=group, user=form.cleaned_data["supervisor"], by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, f"{form.cleaned_data['supervisor']} is now the group's supervisor.")
            return redirect("groups:support_plan", pk=group.pk)
    return _support_plan_page(request, group, supervisor_form=form)


# The team: who is on it, invitations waiting, and a form to add someone or invite someone new.
@group_view(write=can_manage_team)
def team(request, group):
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = form.cleaned_data
        try:
            if details["account"] is not None:
                added = add_team_role(group=group, user=details["account"], role=details["role"], by=request.user)
            else:
                invited = invite_to_team(
                    group=group, name=details["person"], email=details["email"], role=details["role"], by=request.user
                )
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            if details["account"] is not None:
                messages.success(request, f"{added.user} is now {added.get_role_display().lower()} of the group.")
            else:
                messages.success(
                    request,
                    f"We have emailed {invited.email} an invitation to join as {invited.get_role_display().lower()}. "
                    f"Its link works once, until {timezone.localtime(invited.expires_at):%-d %B}. "
                    "They join the team when they accept it.",
                )
            return redirect("groups:team", pk=group.pk)
    manages_team = can_manage_team(request.user, group)
    return render(
        request,
        "groups/team.html",
        {
            "group": group,
            "form": form,
            "roles": group.roles.all(),
            "can_manage_team": manages_team,
            # The organisation's active accounts, suggested as a coordinator types a name.
            "people": [
                TeamMemberForm.suggestion(person)
                for person in get_user_model()
                .objects.filter(is_active=True)
                .only("username", "first_name", "last_name")
            ]
            if manages_team
            else [],
            "invitations": group.invitations.open().select_related("invited_by") if manages_team else [],
            "people_list_id": PEOPLE_LIST_ID,
        },
    )


@require_POST
@group_view(write=can_manage_team)
def team_remove(request, group, role_pk):
    role = get_object_or_404(group.roles, pk=role_pk)
    try:
        remove_team_role(role=role, by=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{role.user} is no longer {role.get_role_display().lower()} of the group.")
    return redirect("groups:team", pk=group.pk)
