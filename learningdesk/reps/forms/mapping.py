"""The workplace mapping's filters. Choices come from the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.org import scoping
from learningdesk.org.forms import UnitChoiceField
from learningdesk.org.models import Employer, OrgUnit
from learningdesk.reps.mapping import DEFAULT_SORT, SORTS, MappingFilter

SHOW_GAPS, SHOW_ALL = "gaps", "all"


class QuickSelect(forms.Select):
    """A select whose options are written in Python rather than one template each.

    A national administrator's unit list has hundreds of options: through the option template they took
    60 ms of a page that must answer in well under 300 ms; this writes them in about 2 ms.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, " selected" if str(option_value) in chosen else "", label)
                for option_value, label in self.choices
            ),
        )
        attributes = format_html_join("", ' {}="{}"', ((key, val) for key, val in final_attrs.items() if val))
        return format_html("<select{}>{}</select>", attributes, options)


class MappingFilterForm(GovukFormMixin, forms.Form):
    # A select of hundreds of employers is no use on a phone: past this many, choose a unit first.
    EMPLOYER_CHOICES_LIMIT = 100

    show = forms.ChoiceField(
        label="Show",
        choices=[(SHOW_GAPS, "Workplaces with members but no rep"), (SHOW_ALL, "All workplaces with members")],
        required=False,
        widget=forms.HiddenInput,  # the page shows it as two tabs; the form keeps it while filtering
    )
    unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(), required=False, empty_label="All in my scope", widget=QuickSelect
    )
    employer = forms.ModelChoiceField(
        queryset=Employer.objects.none(),
        required=False,
        empty_label="Any employer",
        widget=QuickSelect,
        error_messages={
            "invalid_choice": "Choose an employer with workplaces in the unit you chose, or “Any employer”."
        },
    )
    sort = forms.ChoiceField(label="Sort by", choices=list(SORTS.items()), required=False, initial=DEFAULT_SORT)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.visible_units(user).order_by("path")
        self.fields["unit"].queryset = units
        workplaces = scoping.visible_workplaces(user)
        unit_pk = str(self.data.get("unit") or "")
        unit = units.filter(pk=unit_pk).first() if unit_pk.isdigit() else None
        if unit is not None:
            workplaces = workplaces.filter(branch__path__startswith=unit.path)
        # Only employers with a workplace the user can see: an employer looked after higher up may have none.
        employers = Employer.objects.filter(pk__in=workplaces.order_by().values("employer")).order_by("name")
        self.fields["employer"].queryset = employers
        self.employer_choices_shown = employers.count() <= self.EMPLOYER_CHOICES_LIMIT

    def filters(self) -> MappingFilter:
        """The filters chosen, or the defaults (no rep, largest first) while the form has errors."""
        if not self.is_bound or not self.is_valid():
            return MappingFilter()
        data = self.cleaned_data
        return MappingFilter(
            employer=data["employer"],
            unit=data["unit"],
            show_all=data["show"] == SHOW_ALL,
            sort=data["sort"] or DEFAULT_SORT,
        )
