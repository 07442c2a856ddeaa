"""Backup and restore: one dated archive of the database and the uploaded files (see README).

create_backup() writes `hikagami-backup-YYYYmmdd-HHMMSS.tar.gz` (UTC) under a temporary name and
renames it once complete. Restoring is three steps, so a command can ask in between:
`with unpacked(path) as archive`, which checks every member against the manifest; then
check_target(), which refuses what could not be restored cleanly, before anything changes; then
restore(). The archive format is in archive.py, the per-engine copies in engines.py.
"""

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit
from clinic.backups import archive, engines
from clinic.backups.archive import DATABASE_MEMBER, FORMAT, FORMAT_VERSION, unpacked
from clinic.backups.errors import OPERATOR_ERRORS, BackupError

__all__ = ["OPERATOR_ERRORS", "BackupError", "check_target", "create_backup", "restore", "unpacked"]

# Rows that `migrate` writes by itself: a freshly migrated database still counts as empty.
FILLED_BY_MIGRATE = {"django_migrations", "django_content_type", "auth_permission"}


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    tables: int
    rows: int
    media_files: int


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    media_copied: int
    media_present: int  # already in MEDIA_ROOT with the same bytes
    pending_migrations: int


def create_backup(*, output_dir, using="default", now=None) -> Backup:
    """Write the archive into output_dir (created 0700 if missing); the archive is 0600."""
    connection = connections[using]
    now = (now or timezone.now()).astimezone(dt.UTC)
    output_dir = Path(output_dir)
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = output_dir / f"hikagami-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    if final.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": final})
    # Working files sit beside the archive (same file system, so the rename is atomic) in a
    # private folder that goes away whatever happens.
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".hikagami-backup-") as work:
        copy = Path(work) / "database"
        # The trail's anchors before the copy: the copy holds at least those entries.
        anchors = audit.anchors_now(using)
        snapshot = engines.dump(connection, copy)
        media = archive.media_files(settings.MEDIA_ROOT, exclude=output_dir)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(timespec="seconds"),
            "engine": connection.vendor,
            "django_version": django.get_version(),
            "migrations": snapshot.migrations,
            "row_counts": snapshot.row_counts,
            # Each clinic's audit entry count and last hash: `audit_verify --backup` checks a
            # database against them, and a restore makes them the anchors to check against.
            "audit_anchors": anchors,
        }
        partial = Path(work) / f"{final.name}.partial"
        members = [(DATABASE_MEMBER[connection.vendor], copy), *media]
        archive.write(partial, members, manifest, mtime=int(now.timestamp()))
        os.rename(partial, final)
    _fsync_folder(output_dir)
    audit.keep_anchors(anchors, source=f"backup {final.name}")
    return Backup(
        path=final,
        size=final.stat().st_size,
        tables=len(snapshot.row_counts),
        rows=sum(snapshot.row_counts.values()),
        media_files=len(media),
    )


def check_target(unpacked_archive, *, using="default"):
    """Refuse, before anything changes, what restore() could not do cleanly."""
    connection = connections[using]
    if unpacked_archive.engine != connection.vendor:
        raise BackupError(
            _(
                "This archive holds a %(archive)s database but the target database is"
                " %(target)s: restore it into a %(archive)s database (set DATABASE_URL)."
            )
            % {"archive": unpacked_archive.engine, "target": connection.vendor}
        )
    if DATABASE_MEMBER[unpacked_archive.engine] not in unpacked_archive.manifest["members"]:
        raise BackupError(_("This archive holds no database."))
    _check_migrations_known(unpacked_archive.manifest["migrations"])
    with connection.cursor() as cursor:
        tables = engines.table_names(cursor, connection.vendor)
        derived = FILLED_BY_MIGRATE | engines.derived_tables(cursor, connection.vendor)
        busy = [t for t in tables if t not in derived and engines.has_rows(cursor, t)]
        applied = engines.applied_migrations(cursor, tables)
    if busy:
        raise BackupError(
            _(
                "The target database is not empty (rows in %(tables)s). Restore only into an"
                " empty database; nothing was changed."
            )
            % {"tables": ", ".join(busy[:5]) + (", …" if len(busy) > 5 else "")}
        )
    further = [m for m in applied if m not in unpacked_archive.manifest["migrations"]]
    if further and connection.vendor == "postgresql":
        # pg_restore --clean replaces the archive's tables; later ones would be left behind.
        raise BackupError(
            _(
                "The target database was migrated further than the archive (%(migration)s):"
                " restore into a database with no tables, then run migrate."
            )
            % {"migration": ".".join(further[0])}
        )
    _check_media_free(unpacked_archive)


def _check_migrations_known(migrations):
    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    known = set(disk) | {replaced for m in disk.values() for replaced in m.replaces}
    unknown = [f"{app}.{name}" for app, name in migrations if (app, name) not in known]
    if unknown:
        raise BackupError(
            _(
                "The archive comes from a newer version of Hikagami (migration %(migration)s is"
                " unknown here): install that version first."
            )
            % {"migration": unknown[0]}
        )


def _check_media_free(unpacked_archive):
    """A file already in MEDIA_ROOT may stay only if it is the archive's own, byte for byte."""
    clashes = []
    for name in unpacked_archive.media:
        target = _media_target(name)
        if target.exists() or target.is_symlink():
            expected = unpacked_archive.manifest["members"][name]["sha256"]
            if not (target.is_file() and archive.sha256(target) == expected):
                clashes.append(str(target))
    if clashes:
        raise BackupError(
            _(
                "MEDIA_ROOT already holds other files under the archive's names (%(files)s):"
                " restore into an empty MEDIA_ROOT; nothing was changed."
            )
            % {"files": ", ".join(clashes[:5])}
        )


def restore(unpacked_archive, *, using="default") -> Restored:
    """The database, then the uploaded files, then each table's row count against the manifest."""
    connection = connections[using]
    engines.load(connection, unpacked_archive.path_of(DATABASE_MEMBER[unpacked_archive.engine]))
    copied = _restore_media(unpacked_archive)
    with connection.cursor() as cursor:
        counts = engines.read_snapshot(cursor, connection.vendor).row_counts
    expected = unpacked_archive.manifest["row_counts"]
    wrong = [t for t in sorted(expected) if counts.get(t) != expected[t]]
    if wrong:
        raise BackupError(
            _("Restored, but these tables' row counts differ from the manifest: %(tables)s")
            % {"tables": ", ".join(f"{t} ({counts.get(t)}, not {expected[t]})" for t in wrong)}
        )
    # The restored trail is the one to check against from now on: the anchors of entries made
    # after this backup would otherwise make every check report them removed.
    audit.keep_anchors(
        unpacked_archive.manifest.get("audit_anchors", {}), source="restore", replace=True
    )
    executor = MigrationExecutor(connection)
    return Restored(
        tables=len(expected),
        rows=sum(expected.values()),
        media_copied=copied,
        media_present=len(unpacked_archive.media) - copied,
        pending_migrations=len(executor.migration_plan(executor.loader.graph.leaf_nodes())),
    )


def _restore_media(unpacked_archive) -> int:
    copied = 0
    for name in unpacked_archive.media:
        target = _media_target(name)
        if target.is_file():
            continue  # the same bytes: _check_media_free made sure
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(unpacked_archive.path_of(name), "rb") as source, open(target, "xb") as copy:
            while chunk := source.read(archive.CHUNK):
                copy.write(chunk)
        if settings.FILE_UPLOAD_PERMISSIONS is not None:
            os.chmod(target, settings.FILE_UPLOAD_PERMISSIONS)  # as if uploaded here
        copied += 1
    return copied


def _media_target(name) -> Path:
    return Path(settings.MEDIA_ROOT, *PurePosixPath(name).parts[1:])


def _fsync_folder(folder):
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
