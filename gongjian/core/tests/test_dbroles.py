"""The application's database role can read and append audit events and nothing more: UPDATE,
DELETE, TRUNCATE and dropping the trigger fail for lack of privilege (not only by the trigger),
while its ordinary data rights are intact."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import errors, sql

from gongjian.audit.models import AuditEvent
from gongjian.audit.services import audit_record
from gongjian.core.backup import Target
from gongjian.regions.models import Region

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def app_role():
    """A login role named after the test database (roles are cluster-wide); dropped after."""
    target = Target.from_settings(connection.settings_dict)
    role = f"{target.name}_app"[:63]
    with dataclasses.replace(target, name="postgres").connect(autocommit=True) as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    yield role
    with target.connect(autocommit=True) as owner:
        owner.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    with dataclasses.replace(target, name="postgres").connect(autocommit=True) as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def _as(role: str) -> psycopg.Connection:
    target = Target.from_settings(connection.settings_dict)
    return dataclasses.replace(target, user=role, password="").connect(autocommit=True)


def test_the_app_role_reads_and_appends_but_cannot_rewrite_the_audit_log(app_role, lichen_filer):
    event = audit_record(actor=lichen_filer, action="login")
    call_command("grant-app-role", app_role)

    with _as(app_role) as app:
        # reads and appends
        assert app.execute(
            "SELECT actor_username FROM audit_auditevent WHERE id = %s", [event.pk]
        ).fetchone() == ("lichen_filer",)
        app.execute(
            "INSERT INTO audit_auditevent (at, actor_username, action, object_type, object_id, "
            "object_repr, message) VALUES (now(), 'app', 'login', '', '', '', '')"
        )
        # cannot rewrite: refused by privilege, before any trigger runs
        for statement in (
            "UPDATE audit_auditevent SET message = 'edited'",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="permission denied for table"):
                app.execute(statement)
        with pytest.raises(errors.InsufficientPrivilege, match="must be owner"):
            app.execute("DROP TRIGGER audit_auditevent_append_only ON audit_auditevent")
        with pytest.raises(errors.InsufficientPrivilege, match="must be owner"):
            app.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        # clearing the actor of a removed account is the one update it may make
        app.execute("UPDATE audit_auditevent SET actor_id = NULL WHERE id = %s", [event.pk])
        # and its ordinary data rights are there
        app.execute("UPDATE regions_region SET name = name WHERE code = '350502'")

    assert AuditEvent.objects.count() == 2
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_username, stored.message) == (None, "lichen_filer", "")
    assert Region.objects.get(code="350502").name == "鲤城区"


def test_an_unknown_role_is_refused(app_role):
    with pytest.raises(CommandError, match="Role nobody_here does not exist"):
        call_command("grant-app-role", "nobody_here")


def test_the_owner_cannot_be_the_app_role(app_role):
    owner = Target.from_settings(connection.settings_dict).user
    with pytest.raises(CommandError, match=f"Role {owner} owns the audit table"):
        call_command("grant-app-role", owner)
