"""A support group, its team, and its plan: aims, rules, checklist answers and the three documents
that must be complete before it launches."""

from .documents import ExitStrategy, FacilitatorSupportPlan, PlanDocument, Risk, RiskAssessment
from .group import GroupRole, InvalidStatusTransition, SupportGroup, SupportGroupQuerySet, names_refusal
from .plan import Aim, ChecklistAnswer, Rule
from .reviews import AimReview, AimStanding, aims_review_due_on, aims_review_refusal

__all__ = [
    "Aim",
    "AimReview",
    "AimStanding",
    "ChecklistAnswer",
    "ExitStrategy",
    "FacilitatorSupportPlan",
    "GroupRole",
    "InvalidStatusTransition",
    "PlanDocument",
    "Risk",
    "RiskAssessment",
    "Rule",
    "SupportGroup",
    "SupportGroupQuerySet",
    "aims_review_due_on",
    "aims_review_refusal",
    "names_refusal",
]
