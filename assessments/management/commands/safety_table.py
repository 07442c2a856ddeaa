"""Write the clinical safety table (docs/clinical-safety-table.md) from the rules."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.rules.table import safety_table

PAGE = Path(settings.BASE_DIR) / "docs" / "clinical-safety-table.md"


class Command(BaseCommand):
    help = "Write docs/clinical-safety-table.md: red flags, hazards and their wording."

    def handle(self, *args, **options):
        PAGE.write_text(safety_table(), encoding="utf-8")
        self.stdout.write(f"Wrote {PAGE.relative_to(settings.BASE_DIR)}")
