"""The form for a resource in the catalogue."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.html import escape

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.learning import resources
from learningdesk.learning.models import Resource, ResourceAudience, Subject
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class ResourceForm(GovukFormMixin, forms.ModelForm):
    field_order = [
        "title",
        "description",
        "kind",
        "url",
        "file",
        "subjects",
        "audiences",
        "visibility",
        "owner",
        "review_by",
        "unit",
    ]
    audiences = forms.MultipleChoiceField(
        label="Who it is aimed at",
        choices=ResourceAudience.Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Leave them all clear if it is for everyone.",
    )
    owner = OwnerField(
        queryset=User.objects.none(),
        label="Owner",
        help_text="Who keeps it up to date: they get an email when it is due for review.",
        empty_label=None,
    )

    class Meta:
        model = Resource
        fields = ["title", "description", "kind", "url", "file", "subjects", "visibility", "owner", "review_by", "unit"]
        labels = {
            "title": "Title",
            "description": "Description",
            "kind": "What kind of resource",
            "url": "Link",
            "file": "File",
            "subjects": "Subjects",
            "visibility": "Who can see it",
            "review_by": "Review by",
            "unit": "Whose resource is it",
        }
        help_texts = {
            "description": "What it covers and who would find it useful. Searches look here and in the title.",
            "kind": "A link needs the link; a file needs the file. A recording, manual or video can be either.",
            "url": "For example https://www.example.org/webinar. Leave blank for a file.",
            "file": (
                f"{resources.ACCEPTED_NAMES}, up to {resources.MAX_FILE_MB} MB. Leave blank for a link"
                " (or to keep the current file)."
            ),
            "subjects": "Select all that apply.",
            "review_by": "When to check it is still right. The owner is reminded two weeks before.",
            "unit": "Resources of a region or the national union show on the pages of every branch below it.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "kind": forms.RadioSelect(),
            "url": forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
            "file": forms.FileInput(attrs={"accept": resources.ACCEPTED_EXTENSIONS}),
            "subjects": forms.CheckboxSelectMultiple(),
            "visibility": forms.RadioSelect(),
            "review_by": forms.DateInput(),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adding = self.instance.pk is None
        self.fields["kind"].choices = Resource.Kind.choices  # no empty "---------" radio
        self.fields["kind"].error_messages["required"] = "Select what kind of resource it is"
        self.fields["visibility"].choices = Resource.Visibility.choices
        self.fields["visibility"].error_messages["required"] = "Select who can see it"
        self.fields["subjects"].queryset = Subject.objects.order_by("order", "name")
        self.fields["subjects"].required = False
        self.fields["url"].error_messages["invalid"] = "Enter a full link, starting https://"
        owners = resources.possible_owners(user)
        if self.instance.owner_id:  # whoever owns it now stays a choice, even if their role has ended
            owners = owners | User.objects.filter(pk=self.instance.owner_id)
        self.fields["owner"].queryset = owners
        units = scoping.editable_units(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = None
        self.fields["unit"].label_from_instance = unit_label
        if adding:
            self.fields["review_by"].initial = resources.default_review_by
            self.fields["review_by"].show_hidden_initial = False
            self.fields["owner"].initial = user.pk
        else:
            self.fields["audiences"].initial = [audience.group for audience in self.instance.audiences.all()]
            if self.instance.file:
                # The field template marks hints safe: the file's name is escaped here.
                self.fields["file"].help_text = (
                    f"Now: {escape(self.instance.file.name.rsplit('/', 1)[-1])}. Choose another file to replace it, "
                    f"{resources.ACCEPTED_NAMES}, up to {resources.MAX_FILE_MB} MB."
                )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data.get("file")
        if isinstance(uploaded, UploadedFile):
            problem = resources.file_problem(uploaded)
            if problem:
                raise forms.ValidationError(problem)
        return uploaded

    def clean_review_by(self) -> datetime.date | None:
        review_by = self.cleaned_data.get("review_by")
        changed = self.instance.pk is None or review_by != self.instance.review_by
        if review_by and changed and review_by < timezone.localdate():
            raise forms.ValidationError("The review-by date must be today or in the future")
        return review_by


def unit_label(unit: OrgUnit) -> str:
    return f"{unit.name} ({unit.kind.name.lower()})"
