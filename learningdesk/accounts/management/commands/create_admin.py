"""Create the first national administrator (and the root of the tree) on an empty database."""

from __future__ import annotations

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from learningdesk.accounts.models import User
from learningdesk.org.models import OrgUnit, Role, RoleAssignment, UnitKind


class Command(BaseCommand):
    help = "Create a national administrator at the root unit, creating the root unit if there is none."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="Full name")
        parser.add_argument("--unit", default="", help="Name of the root unit (the union), if it does not exist yet")
        parser.add_argument("--code", default="NAT", help="Code of the root unit")
        parser.add_argument("--password", default="", help="Omit to be asked for it")

    def handle(self, *args, email: str, name: str, unit: str, code: str, password: str, **options):
        root = OrgUnit.objects.get_root_nodes().first()
        if root is None and not unit:
            raise CommandError('There is no root unit yet: give its name with --unit "Our Union".')
        if not password:
            password = getpass.getpass("Password for the new administrator: ")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            if root is None:
                kind = UnitKind.objects.get(depth=1)
                root = OrgUnit.objects.add_root(instance=OrgUnit(name=unit, code=code.upper(), kind=kind))
            user = User.objects.filter(email__iexact=email).first() or User.objects.create_user(
                email=email, full_name=name
            )
            user.set_password(password)
            user.save()
            RoleAssignment.objects.create(
                user=user, role=Role.NATIONAL_ADMIN, unit=root, starts_on=timezone.localdate()
            )
        self.stdout.write(self.style.SUCCESS(f"{email} is now national administrator of {root.name}."))
