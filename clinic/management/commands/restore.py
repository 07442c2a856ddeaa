"""`manage.py restore ARCHIVE`: bring a backup back into an empty database (see README)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from clinic import backups


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into an empty database (and MEDIA_ROOT). Checks"
        " the checksums, the engine and that the target is empty before changing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a hikagami-backup-*.tar.gz file")
        parser.add_argument("--yes", action="store_true", help="restore without asking")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, archive, yes, database, **options):
        started = time.monotonic()
        try:
            with backups.unpacked(archive) as unpacked:
                backups.check_target(unpacked, using=database)
                if not yes:
                    self._confirm(unpacked, database)
                restored = backups.restore(unpacked, using=database)
        except backups.OPERATOR_ERRORS as error:
            raise CommandError(_("Restore failed: %(error)s") % {"error": error}) from error
        self.stdout.write(
            _(
                "Restored the backup of %(created)s into %(target)s in %(seconds).1f s: %(tables)d"
                " tables, %(rows)d rows, each table's count as in the manifest. Uploaded files:"
                " %(copied)d copied, %(present)d already in place."
            )
            % {
                "created": unpacked.manifest["created_at"],
                "target": connections[database].settings_dict["NAME"],
                "seconds": time.monotonic() - started,
                "tables": restored.tables,
                "rows": restored.rows,
                "copied": restored.media_copied,
                "present": restored.media_present,
            }
        )
        if restored.pending_migrations:
            self.stdout.write(
                _("This version has %(count)d newer migrations: run `manage.py migrate` next.")
                % {"count": restored.pending_migrations}
            )

    def _confirm(self, archive, database):
        if not sys.stdin.isatty():
            raise CommandError(_("No terminal to ask: pass --yes to restore. Nothing was changed."))
        question = _("Restore the backup of %(created)s into %(target)s? [y/N] ") % {
            "created": archive.manifest["created_at"],
            "target": connections[database].settings_dict["NAME"],
        }
        if input(question).strip().lower() not in {"y", "yes"}:
            raise CommandError(_("Restore cancelled. Nothing was changed."))
