"""The UI kit: GOV.UK form markup, the page layout, navigation and the small components."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.paginator import Paginator
from django.template import Context, engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.html import parse_html
from django.urls import reverse
from pytest_django.asserts import assertHTMLEqual, assertInHTML

from learningdesk.core.context_processors import navigation
from learningdesk.core.forms import GovukFormMixin
from learningdesk.core.templatetags.ui import govuk_tag_colour
from learningdesk.org.scoping import Scope


@pytest.fixture(autouse=True)
def django_form_templates(settings):
    """Django's widget templates must be findable by the TemplatesSetting renderer ("django.forms" app)."""
    if "django.forms" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django.forms"]


class SignUpForm(GovukFormMixin, forms.Form):
    name = forms.CharField(label="Full name", help_text="As on their payslip")
    email = forms.EmailField(label="Email address", required=False)
    workplace = forms.ChoiceField(label="Workplace", choices=[("", "Choose a workplace"), ("depot", "Depot")])
    consent = forms.BooleanField(label="They agree to be contacted", required=False)
    started_on = forms.DateField(label="Start date")
    status = forms.ChoiceField(
        label="Membership",
        choices=[("member", "Member"), ("non_member", "Not a member")],
        widget=forms.RadioSelect,
        help_text="Ask them if you are not sure",
    )
    interests = forms.MultipleChoiceField(
        label="Interests",
        choices=[("maths", "Maths"), ("english", "English"), ("it", "Digital skills")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == "non_member" and cleaned.get("consent") is False:
            raise forms.ValidationError("Someone who is not a member must agree to be contacted.")
        return cleaned


def element(html: str, pattern: str) -> str:
    """The first opening tag in `html` matching the regular expression `pattern` (a tag's start)."""
    match = re.search(pattern + r"[^>]*>", html)
    assert match, f"no {pattern!r} in:\n{html}"
    return match.group(0)


def classes(tag: str) -> set[str]:
    match = re.search(r'class="([^"]*)"', tag)
    return set(match.group(1).split()) if match else set()


def attr(tag: str, name: str) -> str | None:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return match.group(1) if match else None


class TestUnboundForm:
    @pytest.fixture
    def html(self) -> str:
        return str(SignUpForm())

    def test_text_input_with_label_and_hint(self, html):
        assertInHTML('<label class="govuk-label govuk-label--s" for="id_name">Full name</label>', html)
        assertInHTML('<div id="id_name-hint" class="govuk-hint">As on their payslip</div>', html)
        tag = element(html, r'<input type="text" name="name"')
        assert classes(tag) == {"govuk-input"}
        assert attr(tag, "aria-describedby") == "id_name-hint"
        assert " required" in tag

    def test_optional_email(self, html):
        assertInHTML('<label class="govuk-label govuk-label--s" for="id_email">Email address (optional)</label>', html)
        tag = element(html, r'<input type="email" name="email"')
        assert classes(tag) == {"govuk-input"}
        assert attr(tag, "spellcheck") == "false"
        assert attr(tag, "aria-describedby") is None

    def test_select(self, html):
        assert classes(element(html, r'<select name="workplace"')) == {"govuk-select"}

    def test_single_checkbox_is_a_small_govuk_checkbox(self, html):
        assertInHTML(
            """<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
              <div class="govuk-checkboxes__item">
                <input type="checkbox" name="consent" class="govuk-checkboxes__input" id="id_consent">
                <label class="govuk-label govuk-checkboxes__label" for="id_consent">They agree to be contacted</label>
              </div>
            </div>""",
            html,
        )

    def test_date_is_a_native_date_input(self, html):
        tag = element(html, r'<input type="date" name="started_on"')
        assert classes(tag) == {"govuk-input", "govuk-input--width-10"}

    def test_radios_in_a_fieldset(self, html):
        assertInHTML(
            """<fieldset class="govuk-fieldset" aria-describedby="id_status-hint">
              <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Membership</legend>
              <div id="id_status-hint" class="govuk-hint">Ask them if you are not sure</div>
              <div class="govuk-radios" data-module="govuk-radios">
                <div class="govuk-radios__item">
                  <input type="radio" name="status" value="member" class="govuk-radios__input" id="id_status_0"
                    required>
                  <label class="govuk-label govuk-radios__label" for="id_status_0">Member</label>
                </div>
                <div class="govuk-radios__item">
                  <input type="radio" name="status" value="non_member" class="govuk-radios__input" id="id_status_1"
                    required>
                  <label class="govuk-label govuk-radios__label" for="id_status_1">Not a member</label>
                </div>
              </div>
            </fieldset>""",
            html,
        )

    def test_checkboxes_in_a_fieldset(self, html):
        assertInHTML(
            """<div class="govuk-checkboxes__item">
              <input type="checkbox" name="interests" value="english" class="govuk-checkboxes__input"
                id="id_interests_1">
              <label class="govuk-label govuk-checkboxes__label" for="id_interests_1">English</label>
            </div>""",
            html,
        )
        assertInHTML('<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Interests</legend>', html)

    def test_every_field_is_a_form_group_and_there_are_no_errors(self, html):
        assert html.count('<div class="govuk-form-group">') == 7
        assert "error" not in html

    def test_no_inline_styles(self, html):
        assert "style=" not in html


class TestFormWithErrors:
    DATA = {
        "name": "",
        "email": "not-an-email",
        "workplace": "depot",
        "started_on": "2025-02-30",
        "status": "non_member",
        "interests": ["english"],
    }

    @pytest.fixture
    def form(self) -> SignUpForm:
        form = SignUpForm(data=self.DATA)
        assert not form.is_valid()
        return form

    @pytest.fixture
    def html(self, form) -> str:
        return str(form)

    def test_text_input_error(self, html):
        assert '<div class="govuk-form-group govuk-form-group--error">' in html
        assertInHTML(
            '<p id="id_name-error" class="govuk-error-message">'
            '<span class="govuk-visually-hidden">Error:</span> Enter full name</p>',
            html,
        )
        tag = element(html, r'<input type="text" name="name"')
        assert classes(tag) == {"govuk-input", "govuk-input--error"}
        assert attr(tag, "aria-describedby") == "id_name-hint id_name-error"
        assert attr(tag, "aria-invalid") == "true"

    def test_email_and_date_errors_keep_the_value(self, html):
        tag = element(html, r'<input type="email" name="email"')
        assert classes(tag) == {"govuk-input", "govuk-input--error"}
        assert attr(tag, "value") == "not-an-email"
        assert attr(tag, "aria-describedby") == "id_email-error"
        tag = element(html, r'<input type="date" name="started_on"')
        assert classes(tag) == {"govuk-input", "govuk-input--width-10", "govuk-input--error"}
        assert attr(tag, "value") == "2025-02-30"

    def test_valid_answers_are_kept_without_error_classes(self, html):
        assert 'value="non_member" class="govuk-radios__input" id="id_status_1" required checked' in html
        assert 'value="english" class="govuk-checkboxes__input" id="id_interests_1" checked' in html
        assert classes(element(html, r'<select name="workplace"')) == {"govuk-select"}
        assertInHTML('<option value="depot" selected>Depot</option>', html)

    def test_non_field_errors_come_first(self, html):
        assert html.index("Someone who is not a member") < html.index('name="name"')

    def test_radio_error_is_described_by_the_fieldset(self):
        html = str(SignUpForm(data={**self.DATA, "status": "nonsense"}))
        assert '<fieldset class="govuk-fieldset" aria-describedby="id_status-hint id_status-error">' in html
        assert classes(element(html, r'<input type="radio" name="status" value="member"')) == {"govuk-radios__input"}

    def test_error_summary(self, form):
        html = render_to_string("components/error_summary.html", {"form": form})
        assertInHTML(
            """<div class="govuk-error-summary" data-module="govuk-error-summary">
              <div role="alert">
                <h2 class="govuk-error-summary__title">There is a problem</h2>
                <div class="govuk-error-summary__body">
                  <ul class="govuk-list govuk-error-summary__list">
                    <li>Someone who is not a member must agree to be contacted.</li>
                    <li><a href="#id_name">Enter full name</a></li>
                    <li><a href="#id_email">Enter a valid email address.</a></li>
                    <li><a href="#id_started_on">Start date must be a real date</a></li>
                  </ul>
                </div>
              </div>
            </div>""",
            html,
        )

    def test_error_summary_links_radios_to_the_first_option(self):
        form = SignUpForm(data={**self.DATA, "status": ""})
        html = render_to_string("components/error_summary.html", {"form": form})
        assertInHTML('<li><a href="#id_status_0">Select membership</a></li>', html)

    def test_error_summary_is_empty_without_errors(self):
        assert render_to_string("components/error_summary.html", {"form": SignUpForm()}).strip() == ""


def test_govuk_error_messages_replace_only_djangos_generic_ones():
    class ULRForm(GovukFormMixin, forms.Form):
        ulr_name = forms.CharField(label="ULR name")
        workplace = forms.ChoiceField(label="Workplace", choices=[("a", "A")])
        agreed = forms.BooleanField(label="Learning agreement signed")
        reason = forms.CharField(label="Reason", error_messages={"required": "Say why they are leaving"})

    errors = ULRForm(data={}).errors
    assert errors["ulr_name"] == ["Enter ULR name"]
    assert errors["workplace"] == ["Select workplace"]
    assert errors["agreed"] == ["Select learning agreement signed"]
    assert errors["reason"] == ["Say why they are leaving"]
    assert forms.CharField().error_messages["required"] == "This field is required."  # class defaults untouched


def test_valid_iso_date_is_accepted_and_shown_as_iso():
    form = SignUpForm(data={"name": "Ann", "workplace": "depot", "started_on": "2025-03-04", "status": "member"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["started_on"] == datetime.date(2025, 3, 4)
    html = str(SignUpForm(initial={"started_on": datetime.date(2025, 3, 4)}))
    assert attr(element(html, r'<input type="date" name="started_on"'), "value") == "2025-03-04"


def test_forms_without_the_mixin_get_govuk_markup_from_the_renderer():
    class SignInForm(forms.Form):
        username = forms.EmailField(label="Email address")
        password = forms.CharField(label="Password", widget=forms.PasswordInput)

    html = str(SignInForm(data={"username": "x"}))
    assert classes(element(html, r'<input type="email" name="username"')) == {"govuk-input", "govuk-input--error"}
    assert classes(element(html, r'<input type="password" name="password"')) == {"govuk-input", "govuk-input--error"}
    assertInHTML('<label class="govuk-label govuk-label--s" for="id_password">Password</label>', html)


def test_other_widgets():
    class NotesForm(GovukFormMixin, forms.Form):
        notes = forms.CharField(widget=forms.Textarea)
        certificate = forms.FileField()
        secret = forms.CharField(widget=forms.HiddenInput)

    html = str(NotesForm(data={}, files={}))
    assert classes(element(html, r"<textarea")) == {"govuk-textarea", "govuk-textarea--error"}
    assert classes(element(html, r'<input type="file"')) == {"govuk-file-upload", "govuk-file-upload--error"}
    assert "class" not in element(html, r'<input type="hidden"')
    # A hidden field's error is shown with the form's own errors.
    assert "(Hidden field secret) This field is required." in html


# --- Page layout -------------------------------------------------------------------------------------


def page_request(path: str = "/", user=None):
    request = RequestFactory().get(path)
    request.user = user or SimpleNamespace(
        is_authenticated=True,
        is_active=True,
        email="cora@example.org",
        # A co-ordinator's scope, as org.scoping would cache it on a real user.
        _learningdesk_scope=Scope(see=("00010001",), edit=("00010001",), audit=("00010001",)),
    )
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def render_page(request, body: str = "<h1 class='govuk-heading-l'>People</h1>") -> str:
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}People{% endblock %}'
        "{% block breadcrumbs %}{% include 'components/breadcrumbs.html' %}{% endblock %}"
        "{% block content %}" + body + "{% endblock %}"
    )
    return template.render({"crumbs": [("Home", "/"), ("People", None)]}, request)


def test_base_page_for_a_signed_in_user():
    request = page_request("/people/42/")
    request._messages.add(25, "Maria Alberts has been added.")
    request._messages.add(20, "Your export is being prepared.")
    html = render_page(request)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert "<title>People – Learning Desk</title>" in html
    assert '<link rel="stylesheet" href="/static/core/dist/app.css">' in html
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,"allowEval":false}\'>' in html
    assert re.search(r'<body class="govuk-template__body" hx-headers=\'\{"X-CSRFToken": "\w+"\}\'>', html)
    assert re.search(r'<script nonce="[\w-]+">document\.body\.className \+= \' js-enabled\'', html)
    assert '<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert "cora@example.org" in html
    assert f'<form method="post" action="{reverse("logout")}" class="ld-header__sign-out">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assertInHTML(
        '<a class="govuk-service-navigation__link" href="/people/" aria-current="page">'
        '<strong class="govuk-service-navigation__active-fallback">People</strong></a>',
        html,
    )
    assertInHTML('<a class="govuk-service-navigation__link" href="/">Home</a>', html)
    assertInHTML('<span aria-current="page">People</span>', html)
    assert 'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' in html
    assertInHTML('<p class="govuk-notification-banner__heading">Maria Alberts has been added.</p>', html)
    assertInHTML('<h2 class="govuk-notification-banner__title" id="message-2-title">Important</h2>', html)
    assert html.index("htmx.min.js") < html.index('<script type="module" src="/static/core/app.js">')
    assert "Learning Desk — member learning for trade unions" in html
    parse_html(html)  # well formed


def test_base_page_works_under_the_csp():
    html = render_page(page_request())
    assert "style=" not in html
    assert "<style" not in html
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script or "nonce=" in script, script
    assert "javascript:" not in html
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_base_page_for_a_visitor_has_no_navigation_or_sign_out():
    html = render_page(page_request("/sign-in/", user=SimpleNamespace(is_authenticated=False)))
    assert "govuk-service-navigation" not in html
    assert "Sign out" not in html


# --- Navigation ----------------------------------------------------------------------------------------


def test_navigation_is_for_signed_in_users_only():
    assert navigation(page_request(user=SimpleNamespace(is_authenticated=False))) == {"nav_items": []}
    request = RequestFactory().get("/")  # no user at all, e.g. a 400 page before authentication
    assert navigation(request) == {"nav_items": []}


def test_navigation_marks_the_current_section():
    items = navigation(page_request("/"))["nav_items"]
    assert items[0]["label"] == "Home"
    assert [item["label"] for item in items if item["current"]] == ["Home"]
    people = reverse("org:person_list")
    items = navigation(page_request(people + "42/edit/"))["nav_items"]
    assert [item["label"] for item in items if item["current"]] == ["People"]
    assert {"label": "People", "url": people, "current": True} in items


# --- Components --------------------------------------------------------------------------------------


def render_pagination(path: str, number: int, count: int = 300) -> str:
    page_obj = Paginator(range(count), 25).page(number)
    request = RequestFactory().get(path)
    return render_to_string("components/pagination.html", {"page_obj": page_obj}, request=request)


def test_pagination_keeps_the_search_and_filters():
    html = render_pagination("/people/?q=patel&status=member&page=5", 5)
    assert '<nav class="govuk-pagination" aria-label="Pagination">' in html
    assert 'href="?q=patel&amp;status=member&amp;page=4" rel="prev"' in html
    assert 'href="?q=patel&amp;status=member&amp;page=6" rel="next"' in html
    assert 'href="?q=patel&amp;status=member&amp;page=5" aria-label="Page 5" aria-current="page"' in html
    assert 'aria-label="Page 12"' in html
    assert html.count("govuk-pagination__item--ellipsis") == 2
    assertInHTML('<p class="ld-pagination-status">Page 5 of 12</p>', html)


def test_pagination_first_and_last_pages():
    first = render_pagination("/people/", 1)
    assert 'rel="prev"' not in first
    assert 'href="?page=2" rel="next"' in first
    last = render_pagination("/people/?page=12", 12)
    assert 'rel="next"' not in last
    assert 'href="?page=11" rel="prev"' in last


def test_pagination_is_empty_for_one_page():
    assert render_pagination("/people/", 1, count=10).strip() == ""


def test_breadcrumbs():
    html = render_to_string(
        "components/breadcrumbs.html", {"crumbs": [("Home", "/"), ("People", "/people/"), ("Maria Alberts", None)]}
    )
    assertHTMLEqual(
        html,
        """<nav class="govuk-breadcrumbs govuk-breadcrumbs--collapse-on-mobile" aria-label="Breadcrumb">
          <ol class="govuk-breadcrumbs__list">
            <li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="/">Home</a></li>
            <li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="/people/">People</a></li>
            <li class="govuk-breadcrumbs__list-item"><span aria-current="page">Maria Alberts</span></li>
          </ol>
        </nav>""",
    )
    assert render_to_string("components/breadcrumbs.html", {"crumbs": []}).strip() == ""


@pytest.mark.parametrize(
    ("status", "modifier"),
    [
        ("member", "govuk-tag--green"),
        ("lapsed", "govuk-tag--yellow"),
        ("non_member", "govuk-tag--grey"),
        ("nonmember", "govuk-tag--grey"),
        ("Non-member", "govuk-tag--grey"),
        ("left", "govuk-tag--red"),
        ("something else", ""),
        (None, ""),
    ],
)
def test_govuk_tag_colour(status, modifier):
    assert govuk_tag_colour(status) == modifier


def test_ui_tags_need_no_load():
    html = (
        engines["django"]
        .from_string('<strong class="govuk-tag {{ s|govuk_tag_colour }}">x</strong>')
        .render({"s": "member"})
    )
    assert 'class="govuk-tag govuk-tag--green"' in html


# --- Error pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("400.html", "Sorry, there is a problem with that request"),
        ("403.html", "ask your branch learning co-ordinator"),
        ("404.html", "it belongs to a branch you do not have access to"),
    ],
)
def test_error_pages(template, says):
    html = render_to_string(template, request=page_request("/people/999/"))
    assert says in html
    assert '<a class="govuk-link" href="/">Go to your home page</a>' in html
    # Also before authentication has run (a 400 can happen that early).
    assert says in render_to_string(template, request=RequestFactory().get("/"))


def test_500_page_needs_no_request_or_context():
    template = engines["django"].engine.get_template("500.html")
    html = template.render(Context())
    assert "Sorry, there is a problem with Learning Desk" in html
    assert '<link rel="stylesheet" href="/static/core/dist/app.css">' in html
    assert "{%" not in html
    assert "<script" not in html
