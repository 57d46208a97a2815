"""The activity types and subjects a union starts with: the handbook's 23 ways of promoting learning, and
the subjects its members ask for. A national administrator renames, adds or retires them."""

from __future__ import annotations

from typing import Any

ACTIVITY_TYPES: list[tuple[str, str]] = [
    ("Learning survey", "Asking members what they want to learn."),
    ("Reading challenge", "A reading challenge such as the Reading Ahead challenge."),
    ("Newsletter", "A learning newsletter or article in the branch's communications."),
    ("Accredited qualification", "A course that leads to a recognised qualification."),
    ("Course by a local provider", "A course run by a local college, library or community provider."),
    ("Quick Reads and book swap", "Short books and a shelf or event for swapping them."),
    ("Webinar", "An online talk or training session."),
    ("Lunch and learn", "A short session in the lunch break."),
    ("Speaker", "A guest speaker on a topic members asked for."),
    ("Learning at Work Week", "Events for the national Learning at Work Week in May."),
    ("Shadowing, mentoring or coaching", "Learning from a colleague, one to one."),
    ("Themed day", "A day on one theme, such as mental health or money."),
    ("Union course", "A course run by the union: reps' training, union education."),
    ("Learning stall", "A stall at a workplace or event to talk about learning and sign people up."),
    ("Digital champions", "Colleagues helping colleagues with digital skills."),
    ("CPD", "Continuing professional development for members' own jobs."),
    ("Case study", "A member's learning story, to encourage others."),
    ("Collaboration with the employer", "Learning run jointly with the employer."),
    ("Enrolment session", "Helping members enrol on courses."),
    ("Functional skills", "English, maths and digital skills."),
    ("Informative or health walk", "A walk with something to learn on the way."),
    ("Online learning", "A course members follow online at their own pace."),
    ("Other", "Anything else that helps members learn."),
]

# (name, basic skills)
SUBJECTS: list[tuple[str, bool]] = [
    ("Functional skills English", True),
    ("Functional skills maths", True),
    ("Digital skills", True),
    ("ESOL (English for speakers of other languages)", True),
    ("CPD for your job", False),
    ("Union education", False),
    ("Health and wellbeing", False),
    ("Money and pensions", False),
    ("Languages", False),
    ("Creative and personal interest", False),
    ("Career and job skills", False),
    ("Political education", False),
]


def ensure_catalogue(activity_type_model: Any, subject_model: Any) -> None:
    """Add the starting types and subjects that are missing (migrations and test set-up call this)."""
    for order, (name, description) in enumerate(ACTIVITY_TYPES):
        activity_type_model.objects.get_or_create(name=name, defaults={"description": description, "order": order})
    for order, (name, basic) in enumerate(SUBJECTS):
        subject_model.objects.get_or_create(name=name, defaults={"is_basic_skills": basic, "order": order})
