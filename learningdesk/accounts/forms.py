from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm

from learningdesk.accounts.models import AuditEvent
from learningdesk.core.forms import GovukFormMixin, add_classes


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "Enter the email address and password of your Learning Desk account. Passwords are case-sensitive."
        ),
        "inactive": "This account has been switched off. Ask your learning co-ordinator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update(type="email", autocomplete="email", spellcheck="false")


class ResetForm(GovukFormMixin, PasswordResetForm):
    pass


class NewPasswordForm(GovukFormMixin, SetPasswordForm):
    pass


class ChangePasswordForm(GovukFormMixin, PasswordChangeForm):
    pass


class AuditFilterForm(GovukFormMixin, forms.Form):
    action = forms.ChoiceField(choices=[("", "All actions"), *AuditEvent.Action.choices], required=False)


# Sign-in security (issue 9) ----------------------------------------------------------------------------------------


class TwoStepCodeForm(GovukFormMixin, forms.Form):
    """The code from the authenticator app, or (with recovery=True) one of the saved recovery codes."""

    code = forms.CharField(max_length=40, strip=True)

    def __init__(self, *args: Any, recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        field = self.fields["code"]
        field.error_messages["required"] = (
            "Enter one of your recovery codes" if recovery else "Enter the 6-digit code from your authenticator app"
        )
        if recovery:
            field.label = "Recovery code"
            field.help_text = "One of the 10 codes you saved when you set up two-step sign-in. Each one works once."
            field.widget.attrs.update(autocomplete="off", spellcheck="false", autocapitalize="none")
        else:
            field.label = "Code from your authenticator app"
            field.help_text = "The 6 digits your app shows for Learning Desk. The code changes every 30 seconds."
            field.widget.attrs.update(autocomplete="one-time-code", inputmode="numeric", spellcheck="false")
            field.widget.attrs["class"] = add_classes(field.widget.attrs.get("class"), "govuk-input--width-10")

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if self.recovery:
            if not code.isalnum() or len(code) > 16:
                raise forms.ValidationError("A recovery code has 8 letters and numbers, like x7kq 2m9a")
        elif not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits your app shows, like 123 456")
        return code


class ConfirmPasswordForm(GovukFormMixin, forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Passwords are case-sensitive.")
        return password


class ConfirmForm(GovukFormMixin, forms.Form):
    """A form with no fields: a button that asks "are you sure?"."""


class SecurityLogFilterForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label="What happened", required=False)
    email = forms.CharField(label="Email address", required=False, max_length=254)
    since = forms.DateField(label="From", required=False)
    until = forms.DateField(label="To", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from learningdesk.accounts.models import SignInEvent

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Everything"), *SignInEvent.Kind.choices]
        self.fields["email"].widget.attrs.update(type="email", spellcheck="false", autocomplete="off")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data
