"""The body picture: where the complaint is and which side each flagged asymmetry is on.

Pure data for templates/assessments/_body_picture.html (an SVG drawn by this project), so the
same picture can go into the PDF handout. Coordinates are for a 120 x 400 figure centred on x=60;
`dx` is the distance from the midline. In the BACK view the patient's left is the viewer's left;
in the FRONT view it is the viewer's right.
"""

from django.utils.translation import gettext_lazy as _

FRONT, BACK = "front", "back"

# region -> (view, dx, y)
REGION_SPOTS = {
    "knee_back": (BACK, 17, 262),
    "calf": (BACK, 17, 305),
    "thigh_back": (BACK, 18, 215),
    "knee_front": (FRONT, 17, 262),
    "hip": (FRONT, 26, 168),
    "lower_back": (BACK, 10, 150),
    "ankle_foot": (FRONT, 17, 360),
    "shoulder_neck": (BACK, 24, 72),
}
# measure code -> (view, dx, y, what the mark means)
MARKS = {
    "shoulder_height": (BACK, 32, 78, _("higher shoulder")),
    "iliac_crest_height": (BACK, 24, 160, _("higher iliac crest")),
    "leg_length": (FRONT, 17, 385, _("shorter leg")),
    "slr": (BACK, 18, 225, _("tighter hamstring")),
    "knee_extension": (FRONT, 17, 255, _("stiffer knee")),
    "hip_internal_rotation": (FRONT, 26, 175, _("stiffer hip (inward)")),
    "hip_external_rotation": (FRONT, 26, 185, _("stiffer hip (outward)")),
    "knee_to_wall": (FRONT, 17, 350, _("stiffer ankle")),
    "calf_circumference": (BACK, 17, 300, _("larger calf")),
    "weight_bearing": (BACK, 17, 390, _("more weight")),
}
CENTRE = 60


def _x(view: str, side: str, dx: int) -> int:
    # Patient's left: viewer's left from behind, viewer's right from the front.
    towards_viewer_left = (side == "left") == (view == BACK)
    return CENTRE - dx if towards_viewer_left else CENTRE + dx


def picture(assessment) -> dict:
    complaint = assessment.section("complaint")
    spots = []
    region = complaint.get("region")
    if region in REGION_SPOTS:
        view, dx, y = REGION_SPOTS[region]
        sides = ["left", "right"] if complaint.get("side") == "both" else [complaint.get("side")]
        title = _("Where it hurts")
        spots = [
            {"view": view, "x": _x(view, side, dx), "y": y, "title": title}
            for side in sides
            if side
        ]
    marks = []
    for number, item in enumerate(
        a for a in assessment.screening.get("asymmetries", []) if a.get("flagged")
    ):
        if item["code"] not in MARKS or item.get("worse_side") not in ("left", "right"):
            continue
        view, dx, y, meaning = MARKS[item["code"]]
        marks.append(
            {
                "view": view,
                "x": _x(view, item["worse_side"], dx),
                "y": y,
                "number": number + 1,
                "meaning": meaning,
                "side": item["worse_side"],
            }
        )
    return {
        "views": [(FRONT, _("Front"), 10), (BACK, _("Back"), 160)],
        "front": {
            "spots": [s for s in spots if s["view"] == FRONT],
            "marks": [m for m in marks if m["view"] == FRONT],
        },
        "back": {
            "spots": [s for s in spots if s["view"] == BACK],
            "marks": [m for m in marks if m["view"] == BACK],
        },
        "marks": marks,
    }
