"""The planning checklist, as data.

Every question a coordinator answers before a group opens, grouped into the sections shown
as the plan's task list. Each item names the references in shared/DOMAIN.md it answers
(`sources`), so that a test can prove the checklist covers all of the guidance, and the
page can say where a question comes from.

The wording is ours; the ideas come from the documents named in SOURCE_DOCUMENTS.
"""

from dataclasses import dataclass

from .wording import NO_HARM_CONTRACT_JUDGEMENT

SOURCE_DOCUMENTS = {
    "LS": "LifeSIGNS: Guidance on running or supporting a real-life group",
    "GW": "Running self-harm support groups",
    "FAQ": "Self-harm FAQs for professionals",
    "SS": "It's a safe space: self-harm self-help groups",
}


# Points of DOMAIN.md's "Second reading" that a question answers, with the documents each draws on.
SECOND_READING = {
    # Groups fade: LifeSIGNS finds many stop "after an initial flurry"; the groups studied in
    # "It's a safe space" lasted 8 and 12 years with funding, a venue, publicity and support.
    "SR-8": ("LS", "SS"),
}


def source_document(reference: str) -> str:
    """The name of the document a reference such as "LS-Q16" comes from."""
    return SOURCE_DOCUMENTS[reference.split("-", 1)[0]]


def source_documents(reference: str) -> list[str]:
    """The names of the documents a reference draws on: one for a guidance reference such as
    "LS-Q16", each document a second-reading point such as "SR-8" draws on."""
    if reference in SECOND_READING:
        return [SOURCE_DOCUMENTS[prefix] for prefix in SECOND_READING[reference]]
    return [source_document(reference)]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    summary: str


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    section: str
    prompt: str
    help_text: str
    sources: tuple[str, ...]
    required: bool = True
    # About members' safety (SR-1): always needs an answer, never "not applicable".
    safety_critical: bool = False
    # Asked only of groups that admit people under 18 (SR-4); see applies_to().
    for_under_18: bool = False
    # Where the answer already lives, when the plan holds it elsewhere, so the question is never
    # asked twice (groups.answers reads these). Each source is one of:
    #   "group:<field>,<field>"           the group's own details
    #   "document:<name>" or "document:<name>:<part>,<part>"
    #                                     a plan document (risk_assessment, exit_strategy,
    #                                     support_plan), whole or some of its parts
    #   "aims", "rules"                   the group's aims or rules
    answered_by: tuple[str, ...] = ()

    @property
    def may_be_not_applicable(self) -> bool:
        return not self.safety_critical

    @property
    def source_names(self) -> list[str]:
        """Each cited document once, in the order first cited."""
        return list(dict.fromkeys(name for ref in self.sources for name in source_documents(ref)))

    @property
    def is_answered_elsewhere(self) -> bool:
        """Whether the answer lives in another part of the plan rather than in a checklist answer."""
        return bool(self.answered_by)


SECTIONS = (
    Section(
        "purpose", "Purpose and who the group is for", "Why a group, and whether the people you have in mind want one."
    ),
    Section(
        "leadership",
        "Who runs the group",
        "Leadership, training, the support the people running it will have, and how the group keeps going.",
    ),
    Section(
        "access", "Joining the group", "Referral, welcoming new members and reminding everyone of confidentiality."
    ),
    Section("rules", "Rules and boundaries", "How the ground rules are made, shared and kept."),
    Section("sessions", "Running sessions", "Keeping conversation safe, open and focused on feelings."),
    Section(
        "safety",
        "Safety and safeguarding",
        "Distress, crisis and first aid, suicidal intent, safeguarding and extra support.",
    ),
    Section("attendance", "Attendance, breaks and leaving", "Missed sessions, gaps in the timetable and moving on."),
    Section("records", "Records and learning", "What is written down, for how long, and how the group learns."),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


def _item(
    key,
    section,
    prompt,
    help_text,
    sources,
    required=True,
    *,
    safety_critical=False,
    for_under_18=False,
    answered_by: str | tuple[str, ...] = (),
):
    return ChecklistItem(
        key,
        section,
        prompt,
        help_text,
        tuple(sources),
        required,
        safety_critical=safety_critical,
        for_under_18=for_under_18,
        answered_by=(answered_by,) if isinstance(answered_by, str) else tuple(answered_by),
    )


# Shown beside a safety-critical question, where "not applicable" would otherwise be offered.
SAFETY_CRITICAL_EXPLANATION = (
    "This question is about members' safety, so every group needs an answer: it cannot be marked not applicable."
)
# Shown beside a question asked only because the group admits people under 18.
UNDER_18_EXPLANATION = "Asked because the group admits people under 18."


CHECKLIST = (
    # Purpose and who the group is for
    _item(
        "why_group_work",
        "purpose",
        "Why is group work the right choice for these people?",
        "Good reasons are about recovery and people supporting each other. A group rarely saves "
        "time or money: members still need support of their own outside it.",
        ["GW-1"],
        answered_by="group:purpose,why_group_work",
    ),
    _item(
        "who_for",
        "purpose",
        "Who is the group for, and what happens when it is full?",
        "Say whether friends and supporters can come, any age or gender limits, the largest the "
        "group can be, and how a waiting list works.",
        ["GW-2", "SS-3"],
        answered_by="group:audience,minimum_age,maximum_age,gender_eligibility,eligibility_notes,"
        "maximum_size,when_full",
    ),
    _item(
        "sounded_out",
        "purpose",
        "Have you asked the people you have in mind whether they want a group?",
        "A group works only if people want to take part. Note how you asked and what they said, without naming anyone.",
        ["GW-4"],
    ),
    _item(
        "group_balance",
        "purpose",
        "Will the people you have in mind get on together?",
        "Think about strong personalities and existing friendship groups that could tip the balance of the room.",
        ["GW-3"],
    ),
    _item(
        "not_joining",
        "purpose",
        "How will you support people who need help but do not want to join a group?",
        "Some people will not want to be seen at a self-harm group. Say what else is on offer.",
        ["LS-C8"],
    ),
    _item(
        "outside_world",
        "purpose",
        "How will the group stay open to the world outside it?",
        "Groups can come to feel that nobody else understands, and a named group can make members "
        "a target for bullying. Say how you will guard against both.",
        ["LS-C9", "LS-C10"],
    ),
    _item(
        "other_difficulties",
        "purpose",
        "How will people facing other difficulties be supported?",
        "Bullying, abuse, violence, depression, anxiety or low self-esteem may come up. Say where "
        "people can be referred or signposted.",
        ["LS-C11"],
    ),
    # Who runs the group
    _item(
        "leadership_model",
        "leadership",
        "Will the group be led by its members, by professionals, or by both?",
        "Also say how members will share in running a professionally led group, and what extra "
        "support member leaders will have.",
        ["LS-Q1", "LS-Q2", "LS-Q3"],
        answered_by="group:leadership,leadership_support",
    ),
    _item(
        "facilitator_experience",
        "leadership",
        "Who will facilitate, and what experience or training do they have?",
        "Name the roles rather than people if that is easier. Say whether there is a "
        "co-facilitator and how staff are supervised.",
        ["GW-6"],
    ),
    _item(
        "facilitator_care",
        "leadership",
        "How will the people running the group be looked after?",
        "Running a group can be emotionally draining. Describe supervision, debriefs after each "
        "session and how facilitators look after their own wellbeing.",
        ["LS-Q23", "FAQ-3"],
        answered_by="document:support_plan:supervision_frequency,debrief_arrangements,facilitator_wellbeing",
    ),
    _item(
        "sustainability",
        "leadership",
        "How will the group keep going: its funding, finding new members, and who takes over from its leaders?",
        "LifeSIGNS finds that many groups stop after an initial flurry. The two groups studied in \u201cIt's a "
        "safe space\u201d ran for 8 and 12 years, helped by funding, a venue, publicity to new members and "
        "practitioners' support. Say where the money comes from and for how long, how people will hear about "
        "the group, and who takes over when a leader or facilitator moves on.",
        ["SR-8"],
    ),
    # Joining the group
    _item(
        "referral",
        "access",
        "How do people come to the group: by referring themselves, through a professional, or both?",
        "Say who can refer and what you need to know at referral. Record nothing about anyone's self-harm.",
        ["LS-Q4"],
        answered_by="group:referral_route",
    ),
    _item(
        "new_members",
        "access",
        "How will new members be welcomed into an established group?",
        "Think about a first conversation before the session, a buddy, and how existing members "
        "are told someone is joining.",
        ["LS-Q15"],
    ),
    _item(
        "confidentiality_restated",
        "access",
        "How will confidentiality be explained to new members and restated for everyone?",
        "Hearing the promise again when someone joins reassures the people already there.",
        ["SS-4"],
    ),
    _item(
        "parents_and_consent",
        "access",
        "For members under 18, whose consent is needed, and what is shared with parents or carers?",
        "Say whether a parent or carer is asked to agree to a young person joining, what they are told about "
        "the group and about their child, and what stays confidential. Tell young people this before they join.",
        ["GW-2", "FAQ-1"],
        safety_critical=True,
        for_under_18=True,
    ),
    # Rules and boundaries
    _item(
        "rules_process",
        "rules",
        "How will the rules be made, shared with members and upheld?",
        "Rules made with members are easier to keep. Say where members can read them and what "
        "happens when one is broken.",
        ["LS-Q5"],
        answered_by="rules",
    ),
    _item(
        "no_harm_contract",
        "rules",
        "Will members be asked to promise not to hurt themselves?",
        f"{NO_HARM_CONTRACT_JUDGEMENT} Say what your group will do, including whether anything would happen "
        "to a member who hurt themselves.",
        ["LS-Q6"],
        safety_critical=True,
    ),
    _item(
        "competition",
        "rules",
        "How will you stop self-harm becoming a competition?",
        "Say how every member's feelings are treated as valid, whether the rules say anything "
        "about visible scars or wounds, and how you will avoid anyone feeling they must keep "
        "hurting themselves to belong or be noticed.",
        ["LS-Q10", "LS-C5", "LS-C1"],
    ),
    _item(
        "contact_between_sessions",
        "rules",
        "Can members contact each other between sessions, and how?",
        "Texts and calls between meetings can be a real help. Say whether the group allows them "
        "and what boundaries apply.",
        ["SS-2"],
    ),
    # Running sessions
    _item(
        "open_discussion",
        "sessions",
        "How will everyone get a chance to speak without some people taking over?",
        "Think about turn-taking, gentle invitations to quieter members and what the facilitator "
        "does when one voice dominates.",
        ["LS-Q7"],
    ),
    _item(
        "arguments_between_members",
        "sessions",
        "How will you handle arguments and dislikes between members?",
        "People in a group will not always get on. Say what a facilitator does when members argue in a session, "
        "how a falling-out or a dislike is talked through afterwards, and what happens if it keeps coming back.",
        ["LS-Q17"],
    ),
    _item(
        "feelings_focus",
        "sessions",
        "How will conversation stay on feelings and reasons rather than on self-harm itself?",
        "Talking about methods or injuries can trigger others and can make harm seem like proof "
        "of pain. Say how facilitators steer back to emotions.",
        ["LS-Q8", "LS-C2", "LS-C4"],
    ),
    _item(
        "triggers",
        "sessions",
        "How will triggers be talked about, and how can members say they feel uncomfortable?",
        "Agree a simple signal. Also say how you will stop \u201cthat's triggering\u201d from "
        "being used to close down topics people need to talk about.",
        ["LS-Q9"],
    ),
    _item(
        "not_ready",
        "sessions",
        "What will you do when a member does not seem ready to help themselves?",
        "Think about how to keep them included without letting the group's mood sink.",
        ["LS-Q11"],
    ),
    _item(
        "venue",
        "sessions",
        "Where will the group meet, and what will the room be like?",
        "A comfortable room with chairs in a circle, and tea, coffee or food, helps people relax. "
        "For online parts, say when they are open and who moderates them.",
        ["GW-5", "GW-10", "SS-5"],
        answered_by="group:format,venue,room_notes,online_opening_hours",
    ),
    _item(
        "regular_meetings",
        "sessions",
        "How often will the group meet, and how will you keep the timetable reliable?",
        "Members rely on regular meetings as a safety net.",
        ["SS-1"],
        answered_by=(
            "group:meeting_frequency,meeting_weekday,meeting_start,meeting_end",
            "document:support_plan:cofacilitation_and_cover",
        ),
    ),
    # Safety and safeguarding
    _item(
        "risk_assessment_done",
        "safety",
        "Have you carried out a formal risk assessment, including the worst cases?",
        "Work through your organisation's policies. The risk assessment document in this plan records it.",
        ["GW-7"],
        answered_by="document:risk_assessment",
    ),
    _item(
        "distress",
        "safety",
        "What happens if a member becomes very distressed during a session?",
        "Describe the safe, quiet place they can go, who stays with them, and how you know they are ready to leave.",
        ["LS-Q12"],
        safety_critical=True,
    ),
    _item(
        "crisis_and_first_aid",
        "safety",
        "Who gives first aid, how is urgent care reached, and which crisis lines are members given?",
        "Plan for the worst cases in your risk assessment. Name who on the team is trained in first aid and "
        "where the kit is kept; how an ambulance or urgent care is reached from the venue, or from an online "
        "session; and which crisis lines and out-of-hours services members are given for between sessions, "
        "including when someone is in distress or talks about ending their life.",
        ["GW-7", "LS-Q12", "LS-Q13"],
        safety_critical=True,
    ),
    _item(
        "suicidal_intent",
        "safety",
        "What will you do if someone talks about wanting to end their life?",
        "Set out the steps under your organisation's policy and who is told.",
        ["LS-Q13"],
        safety_critical=True,
    ),
    _item(
        "confidentiality_limits",
        "safety",
        "What are the limits of confidentiality, and who needs to know what?",
        "What is said in the room stays in the room, except where someone's safety is at risk, for example "
        "when someone talks about ending their life. Share only what each person needs to know.",
        ["LS-Q13", "FAQ-1"],
        safety_critical=True,
    ),
    _item(
        "safeguarding_policy",
        "safety",
        "Which safeguarding policy applies, and who is the safeguarding lead?",
        "Everyone running the group should know how to report a child or adult protection concern. Say too "
        "whether your organisation requires self-harm itself to be reported under its adult protection "
        "policy: some do, so check.",
        ["FAQ-2"],
        safety_critical=True,
    ),
    _item(
        "extra_support",
        "safety",
        "What extra support is there if someone's self-harm increases during or after the group?",
        "Say where members can turn between sessions and after the group ends.",
        ["LS-Q19"],
    ),
    _item(
        "close_pairs",
        "safety",
        "How will you notice and support close pairs of members who depend on each other?",
        "Friendships can become built around continuing to self-harm, or around recovery in a "
        "way that breaks if one person has a hard time.",
        ["LS-C6", "LS-C7"],
    ),
    # Asked only when the group admits people under 18 (SR-4).
    _item(
        "child_protection",
        "safety",
        "For members under 18, who is the designated lead for child protection, and how is a concern passed on?",
        "Name the designated lead (a role is fine; say if it is the same person as your safeguarding lead), "
        "how facilitators reach them during and after a session, and what happens out of hours.",
        ["FAQ-2"],
        safety_critical=True,
        for_under_18=True,
    ),
    _item(
        "self_harm_reporting",
        "safety",
        "For members under 18, does your organisation require self-harm itself to be reported?",
        "Some organisations require self-harm to be reported under their child protection policy. Check what "
        "yours says, write down what it requires, and say how young people, and their parents or carers, are "
        "told before they join.",
        ["FAQ-2"],
        safety_critical=True,
        for_under_18=True,
    ),
    _item(
        "school_and_camhs",
        "safety",
        "For members under 18, how will the group work with their school, college or CAMHS?",
        "Say who keeps in touch with a young person's school or college and with child and adolescent mental "
        "health services (CAMHS), whether the young person agrees first, and what is shared, on a need-to-know "
        "basis.",
        ["FAQ-1"],
        for_under_18=True,
    ),
    # Attendance, breaks and leaving
    _item(
        "missed_sessions",
        "attendance",
        "What happens when a member misses one session, two, or three in a row?",
        "For example: a friendly message after one, a call after two, a conversation with the "
        "referrer after three. The app follows this up for you.",
        ["LS-Q16"],
    ),
    _item(
        "cannot_run",
        "attendance",
        "How will members be supported when the group cannot meet?",
        "Holidays, illness and venue problems happen. Plan what members are offered instead.",
        ["GW-9"],
        answered_by="document:exit_strategy:when_group_cannot_run",
    ),
    _item(
        "leaving",
        "attendance",
        "How will members move on from the group, and how will the group end?",
        "Leaving can feel like letting friends down. Say how exits are prepared, what support "
        "continues afterwards, and how the group would close for good.",
        ["GW-11", "LS-C3"],
        answered_by="document:exit_strategy:members_leaving,group_ending",
    ),
    # Records and learning
    _item(
        "records_kept",
        "records",
        "What will you record, how long will you keep it, and how will names be written?",
        "Keep as little as you need. Data protection law applies: set a retention period and "
        "whether to use full names, first names or nicknames.",
        ["LS-Q20"],
        answered_by="group:member_names,retention_months",
    ),
    _item(
        "aims_progress",
        "records",
        "What are the group's aims, and how will members see their progress?",
        "Aims are about coping better, not about stopping. Progress can be charted by each "
        "member, by the group, or both.",
        ["GW-8"],
        answered_by="aims",
    ),
    _item(
        "success",
        "records",
        "How will you know the group is working, and how will lessons be recorded?",
        "Lessons learnt are logged after each session in this app.",
        ["LS-Q14"],
    ),
    _item(
        "complaints",
        "records",
        "How can members make a complaint, and who deals with it?",
        "Say how a member complains (in person, in writing or without giving their name), who they complain to, "
        "including someone outside the group if the complaint is about a facilitator, and what happens next: "
        "who looks into it, how soon, and how the member hears the outcome.",
        ["LS-Q18"],
    ),
    _item(
        "framework",
        "records",
        "Which framework or way of working will the group follow?",
        "For example peer support, a psycho-educational programme, or a therapeutic model.",
        ["LS-Q21"],
        required=False,
    ),
    _item(
        "reference_materials",
        "records",
        "Which reference materials will you rely on?",
        "List the guidance, books or websites facilitators will use.",
        ["LS-Q22"],
        required=False,
    ),
)

CHECKLIST_BY_KEY = {item.key: item for item in CHECKLIST}
# The question on no-harm contracts (LS-Q6), whose answer is checked like a rule (groups.wording).
NO_HARM_CONTRACT_KEY = "no_harm_contract"
# The questions about members' safety (SR-1): never "not applicable" (a database constraint too).
SAFETY_CRITICAL_KEYS = tuple(item.key for item in CHECKLIST if item.safety_critical)

# Below this age a member is a child, and the under-18 items apply.
ADULT_AGE = 18


def admits_under_18s(group_or_minimum_age) -> bool:
    """True when the group's minimum age (or the age given) is under 18."""
    minimum_age = getattr(group_or_minimum_age, "minimum_age", group_or_minimum_age)
    return minimum_age < ADULT_AGE


def applies_to(item: ChecklistItem, group_or_minimum_age) -> bool:
    """Every item applies to every group, except the under-18 items, which apply only to a group
    whose minimum age is under 18. Takes a group or its minimum age."""
    return not item.for_under_18 or admits_under_18s(group_or_minimum_age)


# Worked out once: every page showing progress asks for each section's items, per group.
_ITEMS = {
    under_18: tuple(item for item in CHECKLIST if not item.for_under_18 or under_18) for under_18 in (False, True)
}
_ITEMS_BY_SECTION = {
    (section.slug, under_18): tuple(item for item in _ITEMS[under_18] if item.section == section.slug)
    for section in SECTIONS
    for under_18 in (False, True)
}


def items_for(group_or_minimum_age) -> tuple[ChecklistItem, ...]:
    """The items a group must answer, in checklist order: all of them when it admits people under
    18, otherwise all but the under-18 items. Takes a group or its minimum age."""
    return _ITEMS[admits_under_18s(group_or_minimum_age)]


def items_in_section(slug: str, group_or_minimum_age=None) -> tuple[ChecklistItem, ...]:
    """A section's items for a group (or a minimum age); every item in it when neither is given."""
    under_18 = True if group_or_minimum_age is None else admits_under_18s(group_or_minimum_age)
    return _ITEMS_BY_SECTION[(slug, under_18)]
