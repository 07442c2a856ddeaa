"""Check every clinic's audit chain (for cron): exits non-zero when an entry was edited or removed
behind the application's back.

Every run compares each chain with its latest anchor (entry count and last hash), kept outside
the database in AUDIT_ANCHOR_FILE: removing the newest entries, or a clinic's whole trail, shows
too. A passed run writes the new anchors there and to the log stream. `--anchor FILE` uses (and
then updates) another anchor file instead, such as an off-site copy; `--backup ARCHIVE` checks
against the anchors in a backup's manifest (read only)."""

from django.core.management.base import BaseCommand, CommandError

from clinic import audit
from clinic.backups import archive


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail against its latest anchors."

    def add_arguments(self, parser):
        parser.add_argument("--anchor", help="anchor file to use instead of AUDIT_ANCHOR_FILE")
        parser.add_argument("--backup", help="check against the anchors of this backup archive")

    def handle(self, *args, anchor=None, backup=None, **options):
        if backup:
            previous = archive.read_manifest(backup).get("audit_anchors", {})
        else:
            previous = audit.read_anchors(anchor)
        clinics = audit.known_clinics() | {None if k == "none" else int(k) for k in previous}
        broken, anchors = [], {}
        for clinic_id in sorted(clinics, key=lambda c: c or 0):
            key = audit.clinic_key(clinic_id)
            check = audit.verify(
                clinic_id, anchor=tuple(previous[key]) if key in previous else audit.NO_ANCHOR
            )
            state = (
                "ok" if check.ok else f"ALTERED (first bad entry: {check.broken_at or 'the end'})"
            )
            self.stdout.write(f"clinic {key}: {check.checked} entries {state} {check.last_hash}")
            if not check.ok:
                broken.append(key)
            anchors[key] = [check.checked, check.last_hash]
        if broken:
            audit.anchor_log.error("audit chain altered clinics=%s", ",".join(broken))
            raise CommandError(f"Audit chain altered for clinic(s): {', '.join(broken)}")
        if not backup:
            audit.keep_anchors(anchors, source="audit_verify", path=anchor)
