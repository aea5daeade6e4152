"""The application's own PostgreSQL role: data rights everywhere, append-only on the audit log.

MLPS 2.0 level 3 asks that the application cannot rewrite its audit trail. The triggers of
``gongjian.audit.guard`` refuse UPDATE and DELETE whatever role connects, but a role that *owns*
the table can drop a trigger. So production runs two roles:

* the **owner** (the role that runs ``gongjian migrate``, ``audit-purge`` and ``backup``) owns
  every table;
* the **application role** (the web server's and worker's ``DATABASE_URL``) gets, from
  :func:`grant_app_role`, SELECT/INSERT/UPDATE/DELETE on every table and the sequences, except on
  ``audit_auditevent``: SELECT and INSERT only, plus UPDATE of the ``actor_id`` column alone
  (deleting an account sets it to NULL; the trigger still checks that nothing else changes).
  It owns nothing, so it cannot drop or disable a trigger, truncate, or alter a table.

Default privileges make tables that later migrations create usable by the application role too;
running the command again after a migration is harmless (every statement is idempotent).
"""

from __future__ import annotations

from psycopg import sql

from gongjian.audit.guard import TABLE as AUDIT_TABLE


def grant_statements(role: str, database: str) -> list[sql.Composed]:
    who = sql.Identifier(role)
    audit = sql.Identifier(AUDIT_TABLE)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), who),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            who
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(who),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}"
        ).format(who),
        # The audit log: read and append; of updates only clearing the actor of a removed account.
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
            audit, who
        ),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(audit, who),
        sql.SQL("GRANT UPDATE (actor_id) ON {} TO {}").format(audit, who),
    ]


def grant_app_role(cursor, *, role: str, database: str) -> list[str]:
    """Run the grants on ``cursor`` (a connection of the tables' owner); returns them as text."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        raise ValueError(
            f"数据库角色 {role} 不存在，请先由数据库管理员创建（CREATE ROLE … LOGIN）。 / "
            f"Role {role} does not exist: a DBA creates it first (CREATE ROLE … LOGIN)."
        )
    cursor.execute(
        "SELECT tableowner = %s FROM pg_tables WHERE schemaname = 'public' AND tablename = %s",
        [role, AUDIT_TABLE],
    )
    row = cursor.fetchone()
    if row is not None and row[0]:
        raise ValueError(
            f"角色 {role} 拥有审计表，不能作为应用角色。 / "
            f"Role {role} owns the audit table and cannot be the application role."
        )
    done = []
    for statement in grant_statements(role, database):
        cursor.execute(statement)
        done.append(statement.as_string(cursor.connection))
    return done
