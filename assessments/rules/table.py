"""The clinical safety table as one Markdown page, for a clinician to review in one place.

`docs/clinical-safety-table.md` is this page (`python manage.py safety_table` writes it; a test
fails when the page and the rules disagree). Every red flag with its staff and patient labels,
department and urgency; every hazard with its severity, side, what it blocks, its source, and
the staff and patient sentence for each group of care it holds, in English and Japanese.
"""

from django.utils import translation

from .care import CARE_TAG_LABELS, GROUP_OF_TAG
from .hazards import HAZARD_RULES, SEVERITY_SHORT
from .plan_rules import RULE_BY_KEY
from .redflags import DEPARTMENT_LABELS, RULES, URGENCY_LABELS

SIDE_RULES = {
    "suspected_dvt": (
        "the swollen leg (both when none is named, or the reported leg and the larger calf "
        "disagree)"
    ),
    "injury_cannot_bear_weight": "both legs (the screen does not ask which leg)",
    "pulsating_mass": "the side palpated",
    "hot_swollen_leg": "the swollen leg",
    "leg_swelling": "the swollen leg (the larger calf when measured)",
    "popliteal_lump": "the side palpated",
    "night_pain": "the complaint's side",
    "numbness": "the complaint's side",
    "acute_inflammation": "the side palpated, else the swollen leg or the complaint's side",
    "fever": "both legs",
    "persistent_pain": "the complaint's side",
    "walking_or_stairs_worse": "the complaint's side",
    "pain_improving": "the complaint's side",
}


def _cell(text) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def _both(text) -> tuple[str, str]:
    found = []
    for language in ("en", "ja"):
        with translation.override(language):
            found.append(_cell(text))
    return found[0], found[1]


def _flags() -> list[str]:
    lines = [
        "## Red flags: whom to see and how soon",
        "",
        "| code | staff label | patient label (en / ja) | department | urgency |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        staff = " / ".join(_both(rule.label))
        patient = " / ".join(_both(rule.patient_label))
        department = _both(DEPARTMENT_LABELS[rule.department])[0]
        urgency = _both(URGENCY_LABELS[rule.urgency])[0]
        lines.append(f"| `{rule.code}` | {staff} | {patient} | {department} | {urgency} |")
    return lines


def _hazards() -> list[str]:
    lines = [
        "## Hazards: what care is withheld, on which side, how firmly",
        "",
        "| hazard | severity | side | blocks | source |",
        "|---|---|---|---|---|",
    ]
    for rule in HAZARD_RULES:
        blocks = ", ".join(f"`{tag}`" for tag in rule.blocks) or "nothing"
        severity = _both(SEVERITY_SHORT[rule.severity])[0]
        label = " / ".join(_both(rule.label))
        source = _both(rule.source)[0]
        lines.append(
            f"| `{rule.code}` {label} | {severity} | {SIDE_RULES[rule.code]} | {blocks} "
            f"| {source} |"
        )
    return lines


def _wording() -> list[str]:
    lines = [
        "## What staff and patients read, per hazard and group of care",
        "",
        "`{leg}` is filled with the leg (左脚 / 右脚 / 両脚).",
        "",
        "| hazard | care | staff (en / ja) | patient (en / ja) |",
        "|---|---|---|---|",
    ]
    for rule in HAZARD_RULES:
        groups = list(dict.fromkeys(GROUP_OF_TAG[tag] for tag in rule.blocks))
        for group in groups:
            wording = rule.why[group]
            staff = " / ".join(_both(wording.staff))
            patient = " / ".join(_both(wording.patient))
            lines.append(f"| `{rule.code}` | {group} | {staff} | {patient} |")
        if rule.caution:
            staff = " / ".join(_both(rule.caution.staff))
            patient = " / ".join(_both(rule.caution.patient))
            lines.append(f"| `{rule.code}` | caution | {staff} | {patient} |")
    return lines


def _items() -> list[str]:
    lines = [
        "## Care tags of the rule items (exercises carry their own, in the clinic's library)",
        "",
        "| item | tags | placement |",
        "|---|---|---|",
    ]
    for (kind, code), rule in RULE_BY_KEY.items():
        tags = ", ".join(f"`{tag}`" for tag in sorted(rule.tags)) or "none"
        lines.append(f"| {kind}/`{code}` | {tags} | {rule.placement} |")
    lines += ["", "| tag | meaning |", "|---|---|"]
    lines += [f"| `{tag}` | {_both(label)[0]} |" for tag, label in CARE_TAG_LABELS.items()]
    return lines


def safety_table() -> str:
    from .version import RULES_VERSION

    page = [
        "# Clinical safety table",
        "",
        f"Rules version {RULES_VERSION}. Generated from `assessments/rules/` by "
        "`python manage.py safety_table`; do not edit by hand (a test compares).",
        "",
        *_flags(),
        "",
        *_hazards(),
        "",
        *_wording(),
        "",
        *_items(),
    ]
    return "\n".join(page) + "\n"
