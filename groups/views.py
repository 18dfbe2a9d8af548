"""Pages for planning a group. Each view checks access through `group_view`, calls the model
or a service, says what happened, and redirects."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.permissions import can_read_history
from groups_site.refusals import show_refusal

from .checklist import SECTIONS_BY_SLUG, items_in_section
from .forms import (
    AimForm,
    ChecklistAnswerForm,
    ExitStrategyForm,
    FacilitatorSupportPlanForm,
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
)
from .permissions import (
    can_change_status,
    can_create_group,
    can_edit_plan,
    can_launch_group,
    can_manage_team,
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
)
from .services import (
    STATUS_ACTIONS,
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
    visible = SupportGroup.objects.visible_to(request.user).only("pk", "name", "status").order_by("name", "pk")
    page = Paginator(visible, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    groups = list(page)
    my_roles = defaultdict(list)
    for group_id, role in (
        GroupRole.objects.filter(user=request.user, group__in=groups).order_by().values_list("group_id", "role")
    ):
        my_roles[group_id].append(GroupRole.Role(role).label)
    progress = checklist_progress_of(groups)
    rows = [
        {
            "group": group,
            "roles": sorted(my_roles[group.pk]),
            "sections_done": sum(section.is_complete for section in progress[group.pk]),
            "sections_total": len(progress[group.pk]),
        }
        for group in groups
    ]
    return render(
        request, "groups/home.html", {"rows": rows, "page": page, "can_create_group": can_create_group(request.user)}
    )


@person_view(can_create_group)
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


@group_view(plan=True)
def plan(request, group):
    progress = checklist_progress(group)
    blockers = launch_blockers_with_links(group) if group.is_planning else []
    context = {
        "group": group,
        "progress": progress,
        "sections_done": sum(section.is_complete for section in progress),
        "blockers": blockers,
        "documents": [
            ("Risk assessment", document_progress(group.risk_assessment_or_none), "groups:risk_assessment"),
            ("Exit strategy", document_progress(group.exit_strategy_or_none), "groups:exit_strategy"),
            ("Facilitator-support plan", document_progress(group.support_plan_or_none), "groups:support_plan"),
        ],
        "can_edit_plan": can_edit_plan(request.user, group),
        "can_launch": group.is_planning and not blockers and can_launch_group(request.user, group),
        "status_changes": status_changes_for(group) if can_change_status(request.user, group) else [],
        "can_manage_team": can_manage_team(request.user, group),
        "can_read_history": can_read_history(request.user, group),
    }
    return render(request, "groups/supportgroup_plan.html", context)


@group_view(can_edit_plan)
def group_edit(request, group):
    form = SupportGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            save_group_details(group=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The group's details have been saved.")
            return redirect(group)
    return render(request, "groups/supportgroup_form.html", {"form": form, "group": group})


@require_POST
@group_view(write=can_launch_group)
def launch(request, group):
    try:
        launch_group(group=group, by=request.user)
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


# Aims and rules: a list with an add form on the same page.
@group_view(write=can_edit_plan)
def aims(request, group):
    form = AimForm(request.POST or None, instance=Aim(group=group))
    if request.method == "POST" and form.is_valid():
        try:
            save_aim(aim=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The aim has been added.")
            return redirect("groups:aims", pk=group.pk)
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
    if request.method == "POST" and form.is_valid():
        try:
            save_aim(aim=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The aim has been saved.")
            return redirect("groups:aims", pk=group.pk)
    return render(request, "groups/aim_form.html", {"group": group, "form": form, "aim": aim})


@require_POST
@group_view(write=can_edit_plan)
def aim_delete(request, group, aim_pk):
    _remove(request, remove_aim, aim=get_object_or_404(group.aims, pk=aim_pk))
    return redirect("groups:aims", pk=group.pk)


def _remove(request, service, **item):
    """Remove an aim or a rule, saying so, or saying why not (someone removed it meanwhile)."""
    try:
        service(**item, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, f"The {next(iter(item))} has been removed.")


def _warn_if_no_harm_contract(request, rule):
    if rule.reads_like_no_harm_contract:
        messages.warning(
            request,
            "This rule reads like a no-harm contract. LifeSIGNS advises against asking members to promise "
            "not to hurt themselves: it can stop people asking for help. The rule has been saved; "
            "consider rewording it.",
        )


@group_view(write=can_edit_plan)
def rules(request, group):
    form = RuleForm(request.POST or None, instance=Rule(group=group))
    if request.method == "POST" and form.is_valid():
        try:
            rule = save_rule(rule=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The rule has been added.")
            _warn_if_no_harm_contract(request, rule)
            return redirect("groups:rules", pk=group.pk)
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
    if request.method == "POST" and form.is_valid():
        try:
            rule = save_rule(rule=form.instance, by=request.user)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, "The rule has been saved.")
            _warn_if_no_harm_contract(request, rule)
            return redirect("groups:rules", pk=group.pk)
    return render(request, "groups/rule_form.html", {"group": group, "form": form, "rule": rule})


@require_POST
@group_view(write=can_edit_plan)
def rule_delete(request, group, rule_pk):
    _remove(request, remove_rule, rule=get_object_or_404(group.rules, pk=rule_pk))
    return redirect("groups:rules", pk=group.pk)


@group_view(write=can_edit_plan, plan=True)
def checklist_section(request, group, section):
    if section not in SECTIONS_BY_SLUG:
        raise Http404
    answers = group.answers_by_key()
    data = request.POST if request.method == "POST" else None
    forms = [
        ChecklistAnswerForm(
            data, item=item, instance=answers.get(item.key) or ChecklistAnswer(group=group, item_key=item.key)
        )
        for item in items_in_section(section)
    ]
    if data is not None:
        if all([form.is_valid() for form in forms]):
            changed = save_checklist_section(group=group, forms=forms, by=request.user)
            messages.success(request, f"Saved: {changed} answer{'s' if changed != 1 else ''} changed.")
            return redirect(group)
        messages.error(request, "Nothing has been saved yet: please correct the answers marked below.")
    return render(
        request,
        "groups/checklist_section.html",
        {
            "group": group,
            "section": SECTIONS_BY_SLUG[section],
            "forms": forms,
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
        else:
            messages.error(request, "Nothing has been saved yet: please correct the entries marked below.")
    return render(
        request,
        "groups/riskassessment_form.html",
        {
            "group": group,
            "assessment": assessment,
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
        else:
            messages.error(request, "Nothing has been saved yet: please correct the entries marked below.")
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


# The team: who is on it, and a form to add someone.
@group_view(write=can_manage_team)
def team(request, group):
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = add_team_role(
                group=group, user=form.cleaned_data["person"], role=form.cleaned_data["role"], by=request.user
            )
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, f"{role.user} is now {role.get_role_display().lower()} of the group.")
            return redirect("groups:team", pk=group.pk)
    return render(
        request,
        "groups/team.html",
        {
            "group": group,
            "form": form,
            "roles": group.roles.all(),
            "can_manage_team": can_manage_team(request.user, group),
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
