"""Aims revisited after launch: the page where the team records where the group stands against
each aim, and the charts of it over time that the group's page shows (drawn as SVG on the server,
as the sessions page draws attendance, with a table of the same words and numbers beside it)."""

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from groups_site.refusals import show_refusal

from .forms import template_form_helper
from .models import Aim, AimReview, AimStanding, aims_review_due_on, aims_review_refusal
from .permissions import can_record_aims_review, group_view
from .services import record_aims_review

# The reviews each aim's chart shows, the most recent.
CHARTED_REVIEWS = 8

# Geometry of a chart, in SVG user units: one horizontal bar per review, its length the point on
# the 1 to 5 scale (as the attendance chart's bars are its numbers).
CHART_WIDTH = 320
CHART_LABEL_WIDTH = 96
CHART_BAR_MAX = 150
CHART_ROW = 30
CHART_BAR = 18
SCALE_TOP = 5


def _aim_chart(aim, reviews, standings) -> SimpleNamespace:
    """Bars for one aim, reviews oldest first: a pale track the full scale long, a solid bar as far
    as the group stood. A review that gave no point (an aim members chart for themselves) has no
    bar, and says so."""
    rows = []
    for index, review in enumerate(reviews):
        standing = standings.get((review.pk, aim.pk))
        top = index * CHART_ROW + 4
        width = round(CHART_BAR_MAX * standing.scale / SCALE_TOP) if standing and standing.scale else 0
        rows.append(
            SimpleNamespace(
                review=review,
                standing=standing,
                bar_y=top,
                text_y=top + CHART_BAR - 4,
                bar_width=width,
                value_x=CHART_LABEL_WIDTH + CHART_BAR_MAX + 6,
            )
        )
    return SimpleNamespace(
        aim=aim,
        rows=rows,
        charted=any(row.bar_width for row in rows),
        width=CHART_WIDTH,
        height=len(rows) * CHART_ROW + 8,
        bars_x=CHART_LABEL_WIDTH,
        track_width=CHART_BAR_MAX,
        bar_height=CHART_BAR,
        label_x=CHART_LABEL_WIDTH - 6,
    )


def aims_progress(group, aims) -> SimpleNamespace:
    """Where the group has stood against each aim at its recent reviews, as charts; and when the
    next review is due. Two queries, however many aims and reviews."""
    recent = list(AimReview.objects.filter(group=group).order_by("-reviewed_on", "-pk")[:CHARTED_REVIEWS])
    standings = {
        (standing.review_id, standing.aim_id): standing
        for standing in AimStanding.objects.filter(review__in=[review.pk for review in recent])
    }
    oldest_first = recent[::-1]
    due_on = aims_review_due_on(group, recent[0].reviewed_on if recent else None)
    return SimpleNamespace(
        charts=[_aim_chart(aim, oldest_first, standings) for aim in aims] if recent else [],
        reviews=len(recent),
        due_on=due_on,
        is_due=due_on is not None and due_on <= timezone.localdate(),
    )


class AimReviewForm(forms.ModelForm):
    class Meta:
        model = AimReview
        fields = ["reviewed_on"]
        widgets = {"reviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = template_form_helper()


class AimStandingForm(forms.ModelForm):
    """Where the group stands against one aim: the scale is asked as the aim's charting choice
    says (AimStanding.scale_is_optional), and the words are checked for members' names by the
    model."""

    class Meta:
        model = AimStanding
        fields = ["scale", "words"]
        widgets = {"scale": forms.RadioSelect}

    def __init__(self, *args, aim, **kwargs):
        super().__init__(*args, prefix=f"aim-{aim.pk}", **kwargs)
        self.instance.aim = aim
        self.aim = aim
        self.fields["scale"].required = not self.instance.scale_is_optional
        self.fields["scale"].choices = AimStanding.Scale.choices
        if self.instance.scale_is_optional:
            self.fields["scale"].choices = [("", "No point given"), *AimStanding.Scale.choices]
            self.fields["scale"].help_text = (
                "Members chart this aim for themselves. Give the group's overall sense only if members have shared "
                "it, never one member's own chart; or leave it."
            )
        self.helper = template_form_helper()


@group_view(can_record_aims_review)
def aims_review(request, group):
    refusal = aims_review_refusal(group)
    aims = list(Aim.objects.filter(group=group).select_related("group"))
    data = request.POST or None
    form = AimReviewForm(data, instance=AimReview(group=group), initial={"reviewed_on": timezone.localdate()})
    aim_forms = [AimStandingForm(data, aim=aim) for aim in aims]
    # Every form is checked, so each shows its own errors at once.
    all_valid = all([form.is_valid(), *(aim_form.is_valid() for aim_form in aim_forms)])
    if request.method == "POST" and not refusal and all_valid:
        try:
            standings = [aim_form.instance for aim_form in aim_forms]
            record_aims_review(review=form.instance, standings=standings, by=request.user)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "The aims review has been recorded.")
            return redirect(group)
    return render(
        request,
        "groups/aims_review_form.html",
        {"group": group, "form": form, "aim_forms": aim_forms, "refusal": refusal},
    )
