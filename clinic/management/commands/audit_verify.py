"""Check every clinic's audit chain (for cron): exits non-zero when an entry was edited or removed
behind the application's back, and prints the last hash of each chain (keep it: it is the anchor
that also shows the newest entries were not removed)."""

from django.core.management.base import BaseCommand, CommandError

from clinic import audit
from clinic.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail."

    def handle(self, *args, **options):
        clinics = AuditEntry.objects.order_by().values_list("clinic_id", flat=True).distinct()
        broken = []
        for clinic_id in sorted(clinics, key=lambda c: c or 0):
            check = audit.verify(clinic_id)
            state = "ok" if check.ok else f"BROKEN at entry {check.broken_at}"
            self.stdout.write(
                f"clinic {clinic_id}: {check.checked} entries {state} {check.last_hash}"
            )
            if not check.ok:
                broken.append(clinic_id)
        if broken:
            raise CommandError(f"Audit chain altered for clinic(s): {broken}")
