from django.core.management import call_command

from learningdesk.org import scoping
from learningdesk.org.models import OrgUnit, Role


def test_create_admin_on_an_empty_database_makes_the_root_and_the_role(db):
    call_command("create_admin", email="Chair@Example.org", unit="Our Union", password="a long passphrase here")
    root = OrgUnit.objects.get_root_nodes().get()
    from learningdesk.accounts.models import User

    user = User.objects.get(email="chair@example.org")
    assert user.check_password("a long passphrase here")
    assert user.roles.get().role == Role.NATIONAL_ADMIN
    assert list(scoping.visible_units(user)) == [root]
