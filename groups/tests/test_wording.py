import pytest

from groups.wording import reads_like_no_harm_contract


@pytest.mark.parametrize(
    "rule",
    [
        "Members must promise not to self-harm while in the group.",
        "Everyone signs a no-harm contract.",
        "No harm agreement to be signed on joining",
        "You agree never to hurt yourself between sessions.",
        "Members agree to stop self-injuring.",
        "Stay harm-free for the length of the course.",
        "Members must not cut while they attend.",
    ],
)
def test_rules_asking_members_to_promise_not_to_hurt_themselves_are_flagged(rule):
    assert reads_like_no_harm_contract(rule)


@pytest.mark.parametrize(
    "rule",
    [
        "What is said in the group stays in the group.",
        "We talk about feelings, not about methods of self-harm.",
        "Members must not discuss details of self-harm.",
        "Phones on silent.",
        "",
    ],
)
def test_ordinary_rules_are_not_flagged(rule):
    assert not reads_like_no_harm_contract(rule)
