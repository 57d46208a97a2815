"""Forms rendered as GOV.UK Frontend markup.

`GovukFormRenderer` (settings.FORM_RENDERER) renders every form with components/form.html and each field
with components/field.html, and gives every form `GovukBoundField`, so even Django's own forms (sign-in,
password reset) come out with GOV.UK classes, hint and error ids. `GovukFormMixin` adds what needs
changing on the widgets themselves: date fields become `<input type="date">`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input


def govuk_widget_classes(widget: forms.Widget) -> tuple[str, str]:
    """The GOV.UK class for a widget, and the modifier it gets when its field has an error ("" if none)."""
    match widget:
        case forms.HiddenInput():
            return "", ""
        case forms.CheckboxSelectMultiple():  # before RadioSelect: it is a subclass
            return "govuk-checkboxes__input", ""
        case forms.RadioSelect():
            return "govuk-radios__input", ""
        case forms.CheckboxInput():
            return "govuk-checkboxes__input", ""
        case forms.Select():  # SelectMultiple too
            return "govuk-select", "govuk-select--error"
        case forms.Textarea():
            return "govuk-textarea", "govuk-textarea--error"
        case forms.FileInput():
            return "govuk-file-upload", "govuk-file-upload--error"
        case forms.DateInput():
            return "govuk-input govuk-input--width-10", "govuk-input--error"
        case Input():
            return "govuk-input", "govuk-input--error"
    return "", ""


def add_classes(existing: object, extra: str) -> str:
    """`existing` plus the classes in `extra` it does not have yet, in order."""
    classes = str(existing or "").split()
    classes += [name for name in extra.split() if name not in classes]
    return " ".join(classes)


class GovukBoundField(BoundField):
    """A bound field whose widget gets GOV.UK classes, the error modifier and GOV.UK's hint/error ids."""

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint" if self.auto_id else ""

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error" if self.auto_id else ""

    @property
    def aria_describedby(self) -> str | None:
        # Preserve aria-describedby set on the widget, as Django does.
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(self.hint_id)
            if self.errors:
                ids.append(self.error_id)
        return " ".join(ids)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        base, error = govuk_widget_classes(widget)
        if self.errors and error:
            base = f"{base} {error}"
        if base:
            attrs["class"] = add_classes(attrs.get("class") or widget.attrs.get("class"), base)
        return attrs


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields with our GOV.UK templates; widgets come from Django's own templates."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"
    bound_field_class = GovukBoundField


def label_in_sentence(label: str) -> str:
    """'Last name' -> 'last name' to go mid-sentence; 'ULR name' stays as it is."""
    first_word = label.split(" ", 1)[0]
    return label if first_word.isupper() else label[:1].lower() + label[1:]


# Django's generic messages, which GovukFormMixin replaces; a message someone wrote is left alone.
GENERIC_REQUIRED = str(forms.Field.default_error_messages["required"])
GENERIC_INVALID_DATE = str(forms.DateField.default_error_messages["invalid"])


def use_govuk_error_messages(field: forms.Field) -> None:
    """GOV.UK-style messages ("Enter last name", "Select membership") in place of Django's generic ones."""
    label = str(field.label or "")
    if not label:
        return
    choosing = isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput | forms.Select | forms.FileInput)
    if str(field.error_messages.get("required", "")) == GENERIC_REQUIRED:
        field.error_messages["required"] = f"{'Select' if choosing else 'Enter'} {label_in_sentence(label)}"
    if isinstance(field, forms.DateField) and str(field.error_messages.get("invalid", "")) == GENERIC_INVALID_DATE:
        field.error_messages["invalid"] = f"{label} must be a real date"


class GovukFormMixin:
    """Mix into a Form or ModelForm: GOV.UK classes on every widget, date fields as `<input type="date">`,
    and GOV.UK-style error messages ("Enter last name") where the field still has Django's default ones.

    The error modifiers (govuk-input--error, ...) and aria-describedby (the hint's and the error's ids) are
    added when the field is rendered, by `GovukBoundField`, because a form's errors are not known in
    `__init__` (asking for them there would validate the form before a subclass has finished setting up).
    """

    # Fields are typed loosely so forms can set querysets and choices on the fields they declare.
    fields: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            use_govuk_error_messages(field)
            widget = field.widget
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"  # what type=date sends and expects
            elif isinstance(widget, forms.EmailInput):
                widget.attrs.setdefault("spellcheck", "false")
            base, _error = govuk_widget_classes(widget)
            if base:
                widget.attrs["class"] = add_classes(widget.attrs.get("class"), base)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to the field it names, else at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)
