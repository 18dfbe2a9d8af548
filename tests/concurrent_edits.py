"""Helpers shared by the two-people-at-once tests (tests/test_concurrent_edits*.py)."""

import pytest

from groups.models import ExitStrategy

RACES_ON_ROW_LOCKS = pytest.mark.postgres(
    "a row lock held by one connection and waited for by another; SQLite locks the whole database"
)


def _exit_strategy_data(text, version, document=None):
    return {**{part: text for part in ExitStrategy.PARTS}, "opened_version": version}


def _risk_assessment_data(text, version, assessment):
    risk = assessment.risks.get()
    return {
        "review_date": "2099-01-01",
        "opened_version": version,
        "risks-TOTAL_FORMS": "1",
        "risks-INITIAL_FORMS": "1",
        "risks-MIN_NUM_FORMS": "0",
        "risks-MAX_NUM_FORMS": "100",
        "risks-0-id": risk.pk,
        "risks-0-title": risk.title,
        "risks-0-likelihood": "2",
        "risks-0-impact": "3",
        "risks-0-mitigation": text,
        "risks-0-owner": "Lead facilitator",
    }
