"""The groups' records in the admin, to look at: each changes only on the app's pages, through
the services that keep its rules (the launch gate, the last coordinator, the plan documents'
versions, the history's reason). Launching is the one change offered here, through the same
service as the Launch button."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from groups_site.admin import ReadOnlyAdminMixin

from .models import (
    Aim,
    ChecklistAnswer,
    ExitStrategy,
    FacilitatorSupportPlan,
    GroupRole,
    Risk,
    RiskAssessment,
    Rule,
    SupportGroup,
)
from .planning import LaunchBlocked, launch_group


class GroupRoleInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = GroupRole
    extra = 0
    autocomplete_fields = ["user"]


class AimInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Aim
    extra = 0


class RuleInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Rule
    extra = 0


@admin.register(SupportGroup)
class SupportGroupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "format",
        "referral_route",
        "meeting_frequency",
        "retention_months",
        "launched_at",
    ]
    list_filter = ["status", "format", "referral_route", "leadership", "audience"]
    search_fields = ["name", "purpose", "venue"]
    readonly_fields = ["status", "launched_at", "closed_at", "created_at", "updated_at"]
    inlines = [GroupRoleInline, AimInline, RuleInline]
    actions = ["launch_selected"]

    @admin.action(description="Launch selected groups (only those with nothing blocking them)")
    def launch_selected(self, request, queryset):
        # The same gate as the Launch button: admin cannot skip it.
        for group in queryset:
            try:
                launch_group(group=group, by=request.user)
            except LaunchBlocked as refusal:
                self.message_user(request, f"{group} cannot launch: {'; '.join(refusal.blockers)}", messages.ERROR)
            except PermissionDenied:
                self.message_user(request, f"You may not launch {group}.", messages.ERROR)
            else:
                self.message_user(request, f"{group} is now active.", messages.SUCCESS)


@admin.register(GroupRole)
class GroupRoleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "group", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "group__name"]
    autocomplete_fields = ["user", "group"]


@admin.register(Aim)
class AimAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["text", "group", "progress_charting"]
    list_filter = ["progress_charting"]
    search_fields = ["text", "group__name"]


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["text", "group", "reads_like_no_harm_contract"]
    search_fields = ["text", "group__name"]

    @admin.display(boolean=True, description="Reads like a no-harm contract")
    def reads_like_no_harm_contract(self, rule):
        return rule.reads_like_no_harm_contract


@admin.register(ChecklistAnswer)
class ChecklistAnswerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["group", "item_key", "status", "updated_by", "updated_at"]
    list_filter = ["status", "item_key"]
    search_fields = ["group__name", "answer"]


class RiskInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Risk
    extra = 0


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["group", "review_date", "is_complete", "updated_at"]
    search_fields = ["group__name"]
    inlines = [RiskInline]

    @admin.display(boolean=True)
    def is_complete(self, assessment):
        return assessment.is_complete


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "assessment", "source", "likelihood", "impact", "owner"]
    list_filter = ["source", "likelihood", "impact"]
    search_fields = ["title", "mitigation", "owner"]


@admin.register(ExitStrategy, FacilitatorSupportPlan)
class PlanDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["group", "is_complete", "updated_by", "updated_at"]
    search_fields = ["group__name"]

    @admin.display(boolean=True)
    def is_complete(self, document):
        return document.is_complete
