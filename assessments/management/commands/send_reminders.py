from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments.reminders import send_due
from clinic import audit


class Command(BaseCommand):
    help = "E-mail patients who have logged nothing for 3 days (once a day at most; for cron)."

    def handle(self, *args, **options):
        with audit.acting_as("send_reminders"):
            sent = send_due(timezone.localdate())
        self.stdout.write(f"Reminders sent: {sent}")
