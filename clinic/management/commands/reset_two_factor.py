"""Remove a staff member's second factor from the command line: the recovery for a clinic whose
only admin lost their phone (other staff are reset by the admin, from the staff pages)."""

from django.core.management.base import BaseCommand, CommandError

from clinic import audit, two_factor
from clinic.models import User


class Command(BaseCommand):
    help = "Reset a user's two-factor authentication (they log in with their password only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--clinic", help="the clinic's code (slug): needed when two clinics use the name"
        )

    def handle(self, *args, username, clinic=None, **options):
        # User names are unique per clinic only (clinic/models.py `User`).
        found = User.objects.filter(username__iexact=username)
        if clinic:
            found = found.filter(clinic__slug__iexact=clinic)
        members = list(found[:2])
        if not members:
            raise CommandError(f"No user {username!r}.")
        if len(members) > 1:
            raise CommandError(f"Several clinics have a user {username!r}: give --clinic.")
        member = members[0]
        with audit.acting_as("reset_two_factor"):
            two_factor.reset(member=member, by=None)
        self.stdout.write(f"Two-factor authentication reset for {username}.")
