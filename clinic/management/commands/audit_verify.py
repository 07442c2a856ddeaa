"""Check every clinic's audit chain (for cron): exits non-zero when an entry was edited or removed
behind the application's back. With --anchor FILE it also checks that the chain still holds the
last entry of the previous run at the same position (so removing the newest entries shows too),
then writes this run's anchors to FILE. Keep that file off the database server."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic import audit
from clinic.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail."

    def add_arguments(self, parser):
        parser.add_argument("--anchor", help="JSON file of the previous run's (count, last hash)")

    def handle(self, *args, anchor=None, **options):
        path = Path(anchor) if anchor else None
        previous = json.loads(path.read_text()) if path and path.exists() else {}
        clinics = set(AuditEntry.objects.order_by().values_list("clinic_id", flat=True).distinct())
        clinics |= {int(c) if c != "none" else None for c in previous}
        broken, anchors = [], {}
        for clinic_id in sorted(clinics, key=lambda c: c or 0):
            key = str(clinic_id) if clinic_id is not None else "none"
            check = audit.verify(
                clinic_id, anchor=tuple(previous[key]) if key in previous else None
            )
            state = (
                "ok" if check.ok else f"ALTERED (first bad entry: {check.broken_at or 'the end'})"
            )
            self.stdout.write(f"clinic {key}: {check.checked} entries {state} {check.last_hash}")
            if not check.ok:
                broken.append(key)
            anchors[key] = [check.checked, check.last_hash]
        if broken:
            raise CommandError(f"Audit chain altered for clinic(s): {', '.join(broken)}")
        if path:
            path.write_text(json.dumps(anchors, indent=1))
