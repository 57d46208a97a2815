"""Subject access and erasure cover every table: a new model that points at a person or a login fails here until
privacy/personal_data.py says how it is exported and erased."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from learningdesk.accounts.models import User
from learningdesk.org.models import Person
from learningdesk.privacy import personal_data
from learningdesk.privacy.personal_data import ABOUT, AUTHOR, BY_ID, COVERED, DELEGATES, KINDS, OWN_ACCOUNTS_MODELS


def keys_to_people_and_logins() -> dict[str, models.Field]:
    """Every foreign key, one-to-one and many-to-many field of every model that points at a person or a login
    (the through tables of many-to-many fields are covered by the field itself)."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model in (Person, User):
                found[f"{model._meta.label}.{field.name}"] = field
    return found


def _delegated(name: str) -> bool:
    model_label = name.rsplit(".", 1)[0]
    app_label = model_label.split(".")[0]
    return app_label in DELEGATES and model_label not in OWN_ACCOUNTS_MODELS


def test_every_key_to_a_person_or_a_login_is_covered():
    missing = sorted(name for name in keys_to_people_and_logins() if name not in COVERED and not _delegated(name))
    assert not missing, f"Say how privacy/personal_data.py exports and erases these: {missing}"


def test_the_covered_list_names_only_keys_that_exist():
    assert set(COVERED) <= set(keys_to_people_and_logins())
    assert set(COVERED.values()) <= {ABOUT, AUTHOR}


def test_every_part_that_covers_its_own_tables_provides_its_functions():
    for name in keys_to_people_and_logins():
        if _delegated(name) and name not in COVERED:
            module = personal_data.delegate(DELEGATES[name.split(".")[0]])
            assert module is not None, f"{name} is left to {DELEGATES[name.split('.')[0]]}, which does not exist"
    comms = personal_data.delegate(personal_data.COMMS_MODULE)
    security = personal_data.delegate(personal_data.SECURITY_MODULE)
    assert comms is not None and callable(comms.export) and callable(comms.erase)
    assert security is not None and callable(security.export_user) and callable(security.forget_user)


def test_every_table_about_a_person_is_exported():
    exported = {_model_of(kind) for kind in KINDS}
    about = {name.rsplit(".", 1)[0] for name, how in COVERED.items() if how == ABOUT}
    assert about <= exported, f"Add a Kind to personal_data.KINDS for {sorted(about - exported)}"


def _model_of(kind: personal_data.Kind) -> str:
    return kind.rows(Person(pk=0)).model._meta.label


def test_a_deleted_login_leaves_the_rows_it_recorded():
    """Erasure deletes the login: what it recorded about other people stays, with the field emptied."""
    for name, field in keys_to_people_and_logins().items():
        if COVERED.get(name) == AUTHOR:
            assert field.remote_field.on_delete is models.SET_NULL, f"{name} would block or take rows with it"
        if field.related_model is User and not field.many_to_many:
            assert field.remote_field.on_delete is not models.PROTECT, f"{name} would stop a login being deleted"


def test_tables_that_name_a_person_by_id_are_listed():
    by_id = {
        (model._meta.label, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name == "person_id" and not field.is_relation
    }
    assert by_id == set(BY_ID)
