"""Remove a staff member's second factor from the command line: the recovery for a clinic whose
only admin lost their phone (other staff are reset by the admin, from the staff pages)."""

from django.core.management.base import BaseCommand, CommandError

from clinic import audit, two_factor
from clinic.models import User


class Command(BaseCommand):
    help = "Reset a user's two-factor authentication (they log in with their password only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        member = User.objects.filter(username=username).first()
        if member is None:
            raise CommandError(f"No user {username!r}.")
        with audit.acting_as("reset_two_factor"):
            two_factor.reset(member=member, by=None)
        self.stdout.write(f"Two-factor authentication reset for {username}.")
