"""manage.py import_members FILE: the member import from the command line, with the screen's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from learningdesk.imports import engine, reading, services
from learningdesk.imports.mapping import FIELDS_BY_NAME, header_key, mapping_problems
from learningdesk.imports.models import ImportProblem, MemberImport
from learningdesk.org.models import OrgUnit

ERRORS_PRINTED = 200


class Command(BaseCommand):
    help = (
        "Import a member file (CSV or XLSX), matching people by membership number. Prints the counts and every "
        "rejected row; exits with status 1 when rows are rejected. Nothing is imported when any row is rejected, "
        "unless --skip-rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--branch", help="Code of the branch (or region) the file is for; default: everywhere.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, changing nothing.")
        parser.add_argument(
            "--mapping", type=Path, help='JSON file of header -> field, e.g. {"Member No": "membership_number"}.'
        )
        parser.add_argument(
            "--skip-rejected", action="store_true", help="Import the good rows of a file with bad ones."
        )
        parser.add_argument("--mark-left", action="store_true", help="Mark members missing from the file as left.")
        parser.add_argument(
            "--overwrite", action="store_true", help="Use the file's values where a field was also changed here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        unit = self._unit(options["branch"])
        with path.open("rb") as handle:
            try:
                member_import = services.import_start(
                    acting_user=None, unit=unit, file_name=path.name, content=iter(lambda: handle.read(1 << 20), b"")
                )
            except reading.FileProblem as problem:
                raise CommandError(str(problem)) from None
        try:
            self._run(member_import, options)
        finally:
            if not member_import.is_finished:
                services.import_cancel(member_import=member_import)

    def _unit(self, code: str | None) -> OrgUnit:
        if code:
            unit = OrgUnit.objects.filter(code__iexact=code).first()
            if unit is None:
                raise CommandError(f"There is no unit with the code {code}.")
            return unit
        root = OrgUnit.objects.get_root_nodes().first()
        if root is None:
            raise CommandError("There are no units yet: set up the organisation first (or run seed_demo).")
        return root

    def _run(self, member_import: MemberImport, options: dict[str, Any]) -> None:
        if options["mapping"]:
            member_import.mapping = self._mapping(member_import, options["mapping"])
        problems = mapping_problems(member_import.mapping, needs_branch=member_import.unit.numchild > 0)
        self._print_mapping(member_import)
        if problems:
            raise CommandError("\n".join(problems))
        member_import.status = MemberImport.Status.CHECKING
        member_import.save()
        try:
            engine.check(member_import)
        except reading.FileProblem as problem:
            raise CommandError(str(problem)) from None
        member_import.status = MemberImport.Status.CHECKED
        member_import.save(update_fields=["status"])
        self._print_counts(member_import, "Would create" if options["dry_run"] else "To create")
        self._print_problems(member_import)
        rejected = member_import.rejected
        if options["dry_run"] or (rejected and not options["skip_rejected"]):
            services.import_cancel(member_import=member_import)
            if rejected:
                raise CommandError(f"{rejected:,} rows rejected: nothing was imported. Fix them, or --skip-rejected.")
            return
        member_import.mark_left = options["mark_left"]
        member_import.conflicts = "overwrite" if options["overwrite"] else "keep"
        member_import.status = MemberImport.Status.IMPORTING
        member_import.save()
        done = services.run_apply(member_import.pk)
        if done is None or done.status != MemberImport.Status.DONE:
            raise CommandError(done.error if done else "The import disappeared.")
        self.stdout.write(
            f"Imported: {done.created:,} created, {done.updated:,} updated, {done.marked_left:,} marked as left"
            + (f", {done.skipped:,} skipped (changed here after the check)" if done.skipped else "")
            + "."
        )
        if rejected:
            raise CommandError(f"{rejected:,} rows rejected and left out.")

    def _mapping(self, member_import: MemberImport, path: Path) -> dict[str, str]:
        try:
            given = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"Could not read the mapping {path}: {error}") from None
        if not isinstance(given, dict):
            raise CommandError('The mapping must be a JSON object of header -> field, e.g. {"Surname": "last_name"}.')
        by_header = {header_key(str(header)): str(name) for header, name in given.items()}
        unknown = sorted({name for name in by_header.values() if name and name not in FIELDS_BY_NAME})
        if unknown:
            raise CommandError(f"Unknown fields {', '.join(unknown)}: use {', '.join(FIELDS_BY_NAME)}.")
        mapping = dict(member_import.mapping)
        for number, header in enumerate(member_import.headers):
            key = header_key(header)
            if key in by_header:
                mapping.pop(str(number), None)
                if by_header[key]:
                    mapping[str(number)] = by_header[key]
        return mapping

    def _print_mapping(self, member_import: MemberImport) -> None:
        for number, header in enumerate(member_import.headers):
            name = member_import.mapping.get(str(number))
            label = FIELDS_BY_NAME[name].label if name else "(not imported)"
            self.stdout.write(f"  {header or '(no header)'} -> {label}")

    def _print_counts(self, member_import: MemberImport, create_label: str) -> None:
        mi = member_import
        self.stdout.write(
            f"{create_label}: {mi.created:,}  Changed: {mi.updated:,}  Unchanged: {mi.unchanged:,}  "
            f"Rejected: {mi.rejected:,}  With conflicts: {mi.conflicting:,}  Members not in the file: {mi.missing:,}"
        )
        for name in mi.new_employers:
            self.stdout.write(f"  New employer: {name}")
        for code, name, employer in mi.new_workplaces:
            self.stdout.write(f"  New workplace: {name} ({employer}, {code})")

    def _print_problems(self, member_import: MemberImport) -> None:
        problems = ImportProblem.objects.filter(member_import=member_import).order_by("row_number", "id")
        for problem in problems[:ERRORS_PRINTED]:
            kind = "conflict" if problem.kind == ImportProblem.Kind.CONFLICT else "rejected"
            self.stderr.write(
                f"Row {problem.row_number}, {problem.column or problem.field} ({kind}): {problem.message}"
            )
        more = problems.count() - ERRORS_PRINTED
        if more > 0:
            self.stderr.write(f"… and {more:,} more.")
