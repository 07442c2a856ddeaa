"""`manage.py backup`: one dated archive of the database and the uploaded files (see README)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from clinic import backups


class Command(BaseCommand):
    help = (
        "Write hikagami-backup-YYYYmmdd-HHMMSS.tar.gz (UTC) with the database, the uploaded files"
        " and a manifest, readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", help="where to write the archive (default: settings.BACKUP_DIR)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias")

    def handle(self, *args, output_dir, database, **options):
        started = time.monotonic()
        try:
            backup = backups.create_backup(
                output_dir=output_dir or settings.BACKUP_DIR, using=database
            )
        except backups.OPERATOR_ERRORS as error:
            raise CommandError(_("Backup failed: %(error)s") % {"error": error}) from error
        self.stdout.write(
            _(
                "Backup written in %(seconds).1f s: %(path)s (%(size)s; %(tables)d tables,"
                " %(rows)d rows; uploaded files: %(files)d)"
            )
            % {
                "seconds": time.monotonic() - started,
                "path": backup.path,
                "size": filesizeformat(backup.size),
                "tables": backup.tables,
                "rows": backup.rows,
                "files": backup.media_files,
            }
        )
