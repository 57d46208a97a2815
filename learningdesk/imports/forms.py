"""Forms for the member import screens: the upload, the columns, the confirmation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms import BoundField
from django.template.defaultfilters import filesizeformat

from learningdesk.accounts.models import User
from learningdesk.core.forms import GovukFormMixin
from learningdesk.imports.mapping import FIELDS, mapping_problems
from learningdesk.imports.models import MemberImport
from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit

# A national file of a million members is about 150 MB as CSV; anything much bigger is not a member list.
MAX_UPLOAD_MB = 200
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
ACCEPTED_FILES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DO_NOT_IMPORT = ""


class ImportUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        kind = obj.kind.name.lower()
        if obj.numchild:
            return f"{obj.name} ({kind}): the file has a branch code column"
        return f"{obj.name} ({kind})"


class UploadForm(GovukFormMixin, forms.Form):
    unit = ImportUnitField(
        queryset=OrgUnit.objects.none(),
        label="Who is in the file",
        help_text="A branch's members, or a region's: then each row needs the member's branch code.",
        empty_label=None,
    )
    file = forms.FileField(
        label="Member file",
        help_text=f"A CSV or Excel (.xlsx) file, as your membership system exports it, up to {MAX_UPLOAD_MB} MB.",
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
        error_messages={
            "required": "Choose the member file to upload",
            "empty": "The file is empty. Export the member list again and upload that file.",
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = scoping.editable_units(user).order_by("path")
        self.fields["unit"].queryset = units
        first_two = list(units[:2])
        self.only_unit = first_two[0] if len(first_two) == 1 else None
        if self.only_unit is not None:
            del self.fields["unit"]  # a branch co-ordinator imports into their branch: nothing to choose

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.only_unit is not None:
            data["unit"] = self.only_unit
        return data

    def clean_file(self) -> UploadedFile:
        uploaded: UploadedFile = self.cleaned_data["file"]
        if uploaded.size is not None and uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(uploaded.size)}: the most is {MAX_UPLOAD_MB} MB. "
                "Export only the columns you need, or one branch or region at a time."
            )
        return uploaded


class ColumnsForm(GovukFormMixin, forms.Form):
    """One select per column of the file: which field it holds, or "Do not import"."""

    def __init__(self, *args: Any, member_import: MemberImport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_import = member_import
        choices = [(DO_NOT_IMPORT, "Do not import"), *((field.name, field.label) for field in FIELDS)]
        for number, header in enumerate(member_import.headers):
            name = f"column_{number}"
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"Import “{header}” as" if header else f"Import column {number + 1} as",
                initial=member_import.mapping.get(str(number), DO_NOT_IMPORT),
            )

    def columns(self, samples: list[list[str]]) -> list[tuple[BoundField, str, list[str]]]:
        """For the page: each column's select, its header and the values in it on the sample rows."""
        return [
            (self[f"column_{number}"], header, _values_in_column(samples, number))
            for number, header in enumerate(self.member_import.headers)
        ]

    def mapping(self) -> dict[str, str]:
        """Column number (as a string) -> field name, as the user chose."""
        data = self.cleaned_data
        chosen = {str(number): data.get(f"column_{number}") for number in range(len(self.member_import.headers))}
        return {number: name for number, name in chosen.items() if name}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mapping = self.mapping()
        needs_branch = self.member_import.unit.numchild > 0
        problems = mapping_problems(mapping, needs_branch=needs_branch)
        # A field chosen for two columns: its message goes next to the later column(s). Found by asking again
        # with those columns dropped, so that the message is whatever mapping.py says about it.
        placed: set[str] = set()
        for field_name in dict.fromkeys(mapping.values()):
            numbers = [number for number, chosen in mapping.items() if chosen == field_name]
            if len(numbers) < 2:
                continue
            kept = {number: chosen for number, chosen in mapping.items() if number not in numbers[1:]}
            about_this = [p for p in problems if p not in mapping_problems(kept, needs_branch=needs_branch)]
            for number in numbers[1:]:
                for problem in about_this:
                    self.add_error(f"column_{number}", problem)
            placed.update(about_this)
        for problem in problems:
            if problem not in placed:
                self.add_error(None, problem)
        return data


def _values_in_column(rows: list[list[str]], number: int) -> list[str]:
    values = (row[number].strip() for row in rows if number < len(row))
    return list(dict.fromkeys(value for value in values if value))


class ConfirmForm(GovukFormMixin, forms.Form):
    """What to do beyond the rows themselves: members missing from the file, fields changed here."""

    mark_left = forms.BooleanField(required=False)
    conflicts = forms.ChoiceField(
        choices=MemberImport.Conflicts.choices,
        initial=MemberImport.Conflicts.KEEP,
        widget=forms.RadioSelect,
        label="Where a field was changed on Learning Desk since the last import",
    )

    def __init__(self, *args: Any, member_import: MemberImport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        missing = member_import.missing
        if missing:
            who = "member who is" if missing == 1 else f"{missing:,} members who are"
            self.fields["mark_left"].label = f"Mark the {who} not in the file as left"
            self.fields[
                "mark_left"
            ].help_text = "Only if the file is the whole member list. Their records stay, with the status Left."
        else:
            del self.fields["mark_left"]
        if not member_import.conflicting:
            del self.fields["conflicts"]

    def choices(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "mark_left": bool(data.get("mark_left")),
            "conflicts": data.get("conflicts") or MemberImport.Conflicts.KEEP,
        }
