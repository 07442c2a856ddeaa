"""Prepared records for the demo clinic, the bench and the tests: an assessment filled from
prepared sections through the real services, optionally signed.

Tooling, not production: `devtools` is not installed by the production settings, so no page can
reach this shortcut (a real session acknowledges each flag on screen before it signs).
"""

from assessments.models import Assessment
from assessments.services import acknowledge, save_section, sign, start_assessment


def record(*, patient, practitioner, sections: dict, today, sign_it=False) -> Assessment:
    """A new assessment filled from prepared sections (the demo clinic, the bench, tests).

    With `sign_it`, every current flag is acknowledged by the practitioner and it is signed:
    the shortcut a prepared record takes; a real session acknowledges each flag on screen."""
    assessment = start_assessment(patient=patient, practitioner=practitioner)
    for code, data in sections.items():
        assessment = save_section(
            assessment=assessment,
            section=code,
            data=data,
            revision=assessment.revision,
            by=practitioner,
            today=today,
        )
    if sign_it:
        for flag in assessment.flags.filter(is_current=True):
            acknowledge(flag=flag, by=practitioner)
        assessment = sign(assessment=assessment, by=practitioner, today=today)
    return assessment
