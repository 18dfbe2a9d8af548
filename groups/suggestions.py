"""Starting points a coordinator can take with one click: example aims and the risks to assess.

Written in our own words from "Running self-harm support groups" (aims and the worst cases of
GW-7) and LifeSIGNS' guidance (the other risks). Aims are about coping better, never about stopping.
"""

from dataclasses import dataclass

SUGGESTED_AIMS = (
    "Members feel more able to ask for help when they need it.",
    "Members learn to explore difficult emotions safely.",
    "Members find healthier ways through crisis moments.",
    "Members recognise their triggers and have ways to manage them.",
)


@dataclass(frozen=True)
class RiskSeed:
    source: str
    title: str


# Every risk assessment starts with these risks (SR-1, SR-2). A starting risk keeps the guidance
# reference it came from in Risk.source; risks a coordinator adds have none (the risk form does
# not offer the field), which is how the two are told apart: see is_starting_risk.


RISK_SEEDS = (
    RiskSeed("LS-C1", "Members feel they must keep hurting themselves to stay in the group or be noticed"),
    RiskSeed("LS-C2", "Conversation centres on self-harm itself rather than the reasons behind it"),
    RiskSeed("LS-C3", "There is no clear way to move people on or to close the group"),
    RiskSeed("LS-C4", "Self-harm increases because wounds come to be seen as proof of pain or a way to get attention"),
    RiskSeed("LS-C5", "Self-harm turns into a competition between members"),
    RiskSeed("LS-C6", "Two members come to depend on each other in a way built on continuing self-harm"),
    RiskSeed("LS-C7", "Two members come to depend on each other's recovery, which may break if one relapses"),
    RiskSeed("LS-C8", "People who need support stay away because joining would mean being seen"),
    RiskSeed("LS-C9", "Members come to feel that nobody outside the group can understand them"),
    RiskSeed("LS-C10", "Being known as part of the group makes members a target for bullying"),
    RiskSeed("LS-C11", "Members facing other difficulties, such as abuse or depression, are not supported"),
    RiskSeed("LS-Q12", "A member becomes very distressed during a session"),
    RiskSeed("LS-Q13", "A member talks about wanting to end their life"),
    # The worst cases a formal risk assessment should consider ("Running self-harm support groups").
    RiskSeed("GW-7", "A member is injured on the premises and needs first aid or urgent care"),
    RiskSeed("GW-7", "A member is in crisis between sessions"),
    RiskSeed("GW-7", "A member discloses abuse, to the group or to a facilitator"),
    RiskSeed("GW-7", "A member dies by suicide, and the group and facilitators need support afterwards"),
    RiskSeed("GW-7", "A facilitator cannot carry on partway through a session"),
)


def is_starting_risk(risk) -> bool:
    """True for a risk the assessment started with, which can be rated low but never deleted."""
    return bool(risk.source)
