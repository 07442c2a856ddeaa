"""The database side of a backup: a consistent copy out, a copy back in, per engine.

SQLite: the online backup API copies the live file in one step, under one read transaction.
PostgreSQL: pg_dump imports the snapshot of a REPEATABLE READ transaction that stays open while it
runs, and the row counts for the manifest are read in that same snapshot.
"""

import os
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.utils.translation import gettext as _

from clinic.backups.errors import BackupError


@dataclass(frozen=True)
class Snapshot:
    migrations: list  # [app, name] in the order applied
    row_counts: dict  # table -> rows


def dump(connection, target) -> Snapshot:
    """Write a consistent copy of the database to target; describe what it holds."""
    return {"sqlite": _sqlite_dump, "postgresql": _postgresql_dump}[connection.vendor](
        connection, target
    )


def load(connection, source):
    """Bring a copy made by dump() into the (empty) database of the connection."""
    connection.close()
    {"sqlite": _sqlite_load, "postgresql": _postgresql_load}[connection.vendor](connection, source)


def _sqlite_dump(connection, target) -> Snapshot:
    source = Path(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or not source.is_file():
        raise BackupError(_("There is no SQLite database file at %(path)s.") % {"path": source})
    reader = sqlite3.connect(source.as_uri() + "?mode=ro", uri=True, timeout=20)
    with closing(reader), closing(sqlite3.connect(target)) as copy:
        reader.backup(copy)  # all pages in one step: one read transaction, one moment in time
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return read_snapshot(copy.cursor(), "sqlite")


def _postgresql_dump(connection, target) -> Snapshot:
    args, env = _pg_client(connection.settings_dict)
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        with holder.cursor() as cursor:  # autocommit is off: this SET opens the transaction
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
            _run(
                ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges"]
                + [f"--snapshot={snapshot_id}", f"--file={target}"],
                env,
            )
            snapshot = read_snapshot(cursor, "postgresql")
        holder.rollback()
    finally:
        holder.close()
    return snapshot


def _sqlite_load(connection, source):
    if connection.is_in_memory_db():
        raise BackupError(_("The target SQLite database is in memory: name a file."))
    target = connection.settings_dict["NAME"]
    with closing(sqlite3.connect(source)) as copy, closing(sqlite3.connect(target)) as live:
        copy.backup(live)  # replaces every page of the target file, schema included


def _postgresql_load(connection, source):
    # --clean --if-exists drops the empty tables of a freshly migrated target before creating the
    # archive's, and does nothing on a database without tables. One transaction: on any error the
    # target stays as it was.
    args, env = _pg_client(connection.settings_dict)
    _run(
        ["pg_restore", *args, "--no-owner", "--no-privileges", "--single-transaction"]
        + ["--clean", "--if-exists", str(source)],
        env,
    )


def read_snapshot(cursor, vendor) -> Snapshot:
    """Applied migrations and the row count of every table, through any DB-API cursor."""
    tables = table_names(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")
        counts[table] = cursor.fetchone()[0]
    return Snapshot(migrations=applied_migrations(cursor, tables), row_counts=counts)


def derived_tables(cursor, vendor) -> set[str]:
    """SQLite's full-text tables and their shadow tables: an index of other tables' rows, with
    bookkeeping rows of its own even when empty (they are copied with the file all the same)."""
    if vendor != "sqlite":
        return set()
    cursor.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
    virtual = [row[0] for row in cursor.fetchall()]
    shadows = ("config", "data", "idx", "docsize", "content")
    return {*virtual, *(f"{name}_{shadow}" for name in virtual for shadow in shadows)}


def table_names(cursor, vendor) -> list[str]:
    if vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    cursor.execute(sql + " ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]


def applied_migrations(cursor, tables) -> list[list[str]]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return [[app, name] for app, name in cursor.fetchall()]


def has_rows(cursor, table) -> bool:
    cursor.execute(f"SELECT 1 FROM {_quoted(table)} LIMIT 1")
    return cursor.fetchone() is not None


def _quoted(name) -> str:
    return '"{}"'.format(name.replace('"', '""'))


def _pg_client(settings_dict) -> tuple[list[str], dict]:
    """Arguments for pg_dump and pg_restore; a password travels in PGPASSWORD, never in argv."""
    if not settings_dict.get("NAME"):
        raise BackupError(_("The database settings name no PostgreSQL database."))
    env = PostgresClient.settings_to_cmd_args_env(settings_dict, [])[1]  # Django's dbshell's
    args = [f"--dbname={settings_dict['NAME']}"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    return args, {**os.environ, **(env or {})}


def _run(command, env):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            _("%(program)s was not found: install the PostgreSQL client of the server's version.")
            % {"program": command[0]}
        ) from error
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": result.stderr.strip()}
        )
