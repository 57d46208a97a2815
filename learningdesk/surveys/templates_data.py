"""The ready-made surveys a co-ordinator can copy and change: questions in members' own words.

The wording follows the handbook (UNISON's Learning Co-ordinator handbook: "conduct learning surveys", the
reasons people become ULRs and what stops them) and the Labour International role ("a skills audit of
members' needs", "identify talent in others"). A condition names an earlier question by its `key` and the
answer that shows the question: "yes"/"no", "1".."5", or a choice's label (turned into its id on copying).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from learningdesk.surveys.models import Question

Kind = Question.Kind


@dataclass(frozen=True)
class TemplateQuestion:
    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    key: str = ""  # for a later question's condition
    show_if: tuple[str, str] | None = None  # (key of an earlier question, the answer that shows this one)


@dataclass(frozen=True)
class TemplateSection:
    title: str
    questions: tuple[TemplateQuestion, ...]
    description: str = ""


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    title: str
    summary: str  # for the list of templates
    introduction: str  # shown to respondents
    is_anonymous: bool
    sections: tuple[TemplateSection, ...] = field(default=())

    @property
    def question_count(self) -> int:
        return sum(len(section.questions) for section in self.sections)

    @property
    def outline(self) -> list[tuple[TemplateSection, list[tuple[TemplateQuestion, str]]]]:
        """Each section with its questions and, for those asked only after an answer, when they are asked."""
        texts = {question.key: question.text for section in self.sections for question in section.questions}
        return [
            (section, [(question, _condition(question, texts)) for question in section.questions])
            for section in self.sections
        ]


def _condition(question: TemplateQuestion, texts: dict[str, str]) -> str:
    if question.show_if is None:
        return ""
    key, value = question.show_if
    answer = {"yes": "Yes", "no": "No"}.get(value, value)
    return f"Asked only when “{texts[key]}” is answered “{answer}”"


Q = TemplateQuestion
S = TemplateSection

WHEN_CHOICES = ("Before work", "Lunchtime", "After work", "Weekends", "In work time, with paid time off")

MEMBER_LEARNING = SurveyTemplate(
    key="member_learning",
    title="What would you like to learn?",
    summary="The branch's member learning survey: what members have done, what they want to learn, and how and "
    "when they could. Anonymous.",
    introduction="Your branch wants to organise learning that members actually want: courses, Lunch & Learns, "
    "book swaps, webinars and more. It takes about five minutes. Your answers are anonymous: nobody can tell "
    "who said what.",
    is_anonymous=True,
    sections=(
        S(
            "Your learning so far",
            (
                Q(
                    Kind.YES_NO,
                    "Have you done any learning in the last 12 months, at work or outside?",
                    "Anything counts: a course, a qualification, online learning, a book club.",
                    required=True,
                    key="learned",
                ),
                Q(
                    Kind.MULTIPLE,
                    "What kind of learning was it?",
                    "Choose all that apply.",
                    choices=(
                        "Training from my employer",
                        "A union course",
                        "A college or evening class",
                        "An online course",
                        "A reading group or book swap",
                        "Something else",
                    ),
                    show_if=("learned", "yes"),
                ),
                Q(
                    Kind.SCALE,
                    "How confident do you feel about learning something new?",
                    "1 is not at all confident, 5 is very confident.",
                ),
            ),
        ),
        S(
            "What you would like to learn",
            (
                Q(
                    Kind.SUBJECTS,
                    "Which subjects or kinds of learning interest you?",
                    "Choose all that apply.",
                    required=True,
                ),
                Q(
                    Kind.MULTIPLE,
                    "How would you like to learn?",
                    "Choose all that apply.",
                    choices=(
                        "In a group at work",
                        "Online, in my own time",
                        "Online, live with a tutor (a webinar)",
                        "A Lunch & Learn",
                        "One to one, with a mentor or coach",
                    ),
                ),
                Q(Kind.MULTIPLE, "When could you learn?", "Choose all that apply.", choices=WHEN_CHOICES),
                Q(
                    Kind.SINGLE,
                    "Would learning help you in your job, or to get the job you want next?",
                    choices=("Yes, a lot", "A little", "Not really", "I'm not sure"),
                ),
                Q(Kind.LONG_TEXT, "Is there anything else you would like the branch to organise?"),
            ),
        ),
    ),
)

SKILLS_AUDIT = SurveyTemplate(
    key="skills_audit",
    title="Skills audit: what you can do, and what you could share",
    summary="Members' skills and the skills they want, and the talent the branch could recruit: tutors, "
    "speakers, mentors and ULRs. Identified, so the branch can get back to people who offer.",
    introduction="We want to know the skills members have, the ones they would like, and who might share "
    "theirs with others. Your name is kept with your answers so that the branch can get in touch if you "
    "offer to help; they are used for nothing else.",
    is_anonymous=False,
    sections=(
        S(
            "Skills you have",
            (
                Q(
                    Kind.MULTIPLE,
                    "Which of these are you confident doing?",
                    "Choose all that apply.",
                    choices=(
                        "Using email and the internet",
                        "Video calls, like Zoom or Teams",
                        "Spreadsheets",
                        "Writing letters or reports",
                        "Speaking in front of a group",
                        "Training or coaching others",
                        "Speaking another language",
                    ),
                ),
                Q(
                    Kind.SCALE,
                    "How confident are you using a computer or smartphone?",
                    "1 is not at all confident, 5 is very confident.",
                ),
                Q(
                    Kind.SINGLE,
                    "What is your highest qualification?",
                    choices=(
                        "None",
                        "GCSEs or equivalent (level 2)",
                        "A levels or equivalent (level 3)",
                        "A degree or higher",
                        "I'd rather not say",
                    ),
                ),
            ),
        ),
        S(
            "Skills you could share",
            (
                Q(
                    Kind.YES_NO,
                    "Would you be willing to share a skill or an interest with other members?",
                    "For example running a session, speaking at a Lunch & Learn, or helping someone get online.",
                    required=True,
                    key="share",
                ),
                Q(
                    Kind.SHORT_TEXT,
                    "What skill or interest could you share?",
                    "For example: first aid, British Sign Language, budgeting, creative writing.",
                    show_if=("share", "yes"),
                ),
                Q(
                    Kind.MULTIPLE,
                    "How would you like to share it?",
                    "Choose all that apply.",
                    choices=(
                        "Run a session as a tutor",
                        "Speak at a Lunch & Learn or a branch meeting",
                        "Help people get online, as a Digital Champion",
                        "Mentor or buddy a learner",
                        "Become a Union Learning Rep (ULR)",
                    ),
                    show_if=("share", "yes"),
                ),
            ),
        ),
        S(
            "Skills you want",
            (
                Q(Kind.SUBJECTS, "What would you like to learn next?", "Choose all that apply.", required=True),
                Q(
                    Kind.NUMBER,
                    "How many hours a month could you give to learning?",
                    "A rough number is fine, for example 4.",
                ),
            ),
        ),
    ),
)

BARRIERS = SurveyTemplate(
    key="barriers",
    title="What gets in the way of learning and CPD?",
    summary="The barriers members meet to training and continuing professional development (CPD), and what "
    "would help: evidence to take to the employer. Anonymous.",
    introduction="Help us find out what stops members getting the training and CPD they need, so we can take "
    "it up with the employer. Your answers are anonymous: nobody can tell who said what.",
    is_anonymous=True,
    sections=(
        S(
            "Your training and CPD",
            (
                Q(
                    Kind.SINGLE,
                    "In the last year, have you been able to do the training or CPD you need?",
                    choices=("Yes, all of it", "Some of it", "None of it", "I don't need any"),
                    required=True,
                ),
                Q(
                    Kind.YES_NO,
                    "Has anything stopped you learning or doing CPD in the last year?",
                    required=True,
                    key="stopped",
                ),
                Q(
                    Kind.MULTIPLE,
                    "What got in the way?",
                    "Choose all that apply.",
                    choices=(
                        "No time at work",
                        "My manager would not release me",
                        "The cost or the fees",
                        "Caring responsibilities",
                        "Travel, or the distance",
                        "My shifts or hours",
                        "Not feeling confident about learning",
                        "A bad experience of learning before",
                        "I didn't know what was available",
                        "My disability or access needs were not met",
                        "Something else",
                    ),
                    show_if=("stopped", "yes"),
                ),
            ),
        ),
        S(
            "Your employer",
            (
                Q(
                    Kind.SINGLE,
                    "Does your employer give paid time off for learning?",
                    choices=("Yes", "Sometimes", "No", "I don't know"),
                ),
                Q(
                    Kind.SCALE,
                    "How well does your manager support your learning?",
                    "1 is not at all, 5 is very well.",
                ),
                Q(
                    Kind.MULTIPLE,
                    "What would make it easier for you to learn?",
                    "Choose all that apply.",
                    choices=(
                        "Paid time off to learn",
                        "Learning at my workplace",
                        "Online learning I can do in my own time",
                        "Help with the fees",
                        "Support from a Union Learning Rep",
                        "Cover for caring responsibilities",
                    ),
                ),
                Q(Kind.LONG_TEXT, "Is there anything else you want us to raise with the employer?"),
            ),
        ),
    ),
)

COURSE_EVALUATION = SurveyTemplate(
    key="course_evaluation",
    title="How was your course?",
    summary="An evaluation after a course or learning event: what learners thought, what to change, and what "
    "they want next. Anonymous.",
    introduction="Thank you for coming. Tell us what you thought so we can make the next one better. It takes "
    "two minutes and your answers are anonymous.",
    is_anonymous=True,
    sections=(
        S(
            "The course",
            (
                Q(
                    Kind.SHORT_TEXT,
                    "Which course or event did you go to?",
                    "For example: Lunch & Learn on menopause awareness, 12 March.",
                    required=True,
                ),
                Q(Kind.SCALE, "Overall, how good was it?", "1 is poor, 5 is excellent.", required=True, key="rating"),
                Q(
                    Kind.SINGLE,
                    "Was it what you expected?",
                    choices=("Better than I expected", "About what I expected", "Not as good as I expected"),
                ),
                Q(Kind.LONG_TEXT, "What went wrong for you?", show_if=("rating", "1")),
                Q(Kind.LONG_TEXT, "What was the best part?"),
                Q(Kind.LONG_TEXT, "What could be better?"),
                Q(Kind.YES_NO, "Would you recommend it to a colleague?"),
            ),
        ),
        S(
            "What next",
            (
                Q(Kind.SUBJECTS, "What would you like to learn next?", "Choose all that apply."),
                Q(
                    Kind.YES_NO,
                    "Would you like to find out about becoming a Union Learning Rep (ULR)?",
                    "ULRs help colleagues into learning, with paid time off to do it. Ask at the branch: your "
                    "answer here stays anonymous.",
                ),
            ),
        ),
    ),
)

ULR_INTEREST = SurveyTemplate(
    key="ulr_interest",
    title="Interested in becoming a ULR?",
    summary="Find members who might become Union Learning Reps, what draws them and what holds them back. "
    "Identified, so the co-ordinator can get in touch.",
    introduction="Union Learning Reps (ULRs) help colleagues into learning: they find out what people want, "
    "promote courses and events, and support learners. You get training and paid time off to do it, and "
    "support from the branch. Your name is kept with your answers so we can get in touch.",
    is_anonymous=False,
    sections=(
        S(
            "About the role",
            (
                Q(Kind.YES_NO, "Did you know what a ULR does before today?"),
                Q(
                    Kind.YES_NO,
                    "Would you like to find out more about becoming a ULR?",
                    "No commitment: we will have a chat and invite you to an information session.",
                    required=True,
                    key="interested",
                ),
                Q(
                    Kind.MULTIPLE,
                    "What draws you to it?",
                    "Choose all that apply.",
                    choices=(
                        "I like helping people",
                        "I want to give something back to the union",
                        "I want to organise learning at my workplace",
                        "For my own development",
                        "I have a background in education or training",
                        "I want to share one of my interests",
                    ),
                    show_if=("interested", "yes"),
                ),
                Q(
                    Kind.MULTIPLE,
                    "What, if anything, might hold you back?",
                    "Choose all that apply. Knowing helps us support you.",
                    choices=(
                        "Not having the time",
                        "My manager might not support it",
                        "I'm not sure what it involves",
                        "I don't want to become a steward",
                        "My own experience of learning",
                        "I'd be on my own",
                    ),
                ),
            ),
        ),
        S(
            "Getting in touch",
            (
                Q(
                    Kind.SINGLE,
                    "How would you like us to contact you?",
                    choices=("By email", "By phone", "In person at work"),
                    show_if=("interested", "yes"),
                ),
                Q(
                    Kind.MULTIPLE,
                    "When could you come to a ULR information session?",
                    "Choose all that apply.",
                    choices=("Lunchtime", "After work", "Online, in the evening"),
                    show_if=("interested", "yes"),
                ),
            ),
        ),
    ),
)

SURVEY_TEMPLATES: dict[str, SurveyTemplate] = {
    template.key: template for template in (MEMBER_LEARNING, SKILLS_AUDIT, BARRIERS, COURSE_EVALUATION, ULR_INTEREST)
}
