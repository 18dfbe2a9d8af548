"""A support group, its team, and its plan: aims, rules, checklist answers and the three documents
that must be complete before it launches."""

from .documents import ExitStrategy, FacilitatorSupportPlan, PlanDocument, Risk, RiskAssessment
from .group import GroupRole, InvalidStatusTransition, SupportGroup, SupportGroupQuerySet
from .plan import Aim, ChecklistAnswer, Rule

__all__ = [
    "Aim",
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
]
