"""The home-exercise library the product ships with (セルフケア).

Plain data, no database: a data migration or a management command loads these rows into a
clinic's exercise library, and the clinic may edit them or add its own. Every text field a patient
reads (`purpose`, `steps`, `key_points`, `cautions`) is Japanese in plain polite form;
`name_en` is for staff screens and logs.

Keys of each exercise:
- `code`: stable slug; `illustration` is the static path `exercises/<code>.svg`.
- `purpose`, `steps`, `key_points`, `cautions`: patient-facing wording. The steps never repeat
  the dose numbers; they say 目安の秒数 / 回数 / 時間 and the plan prints the dose beside them,
  so a practitioner who changes the dose never leaves a contradicting number in the text.
- Dose defaults: `hold_seconds`, `reps`, `sets` (per session), `times_per_day`,
  `duration_minutes` (per side when `per_side`), `per_side` (done on each leg separately).
  `None` means "not used for this exercise".
- `targets`: finding codes the plan generator matches to propose the exercise.
- `care_tags`: what kind of care the exercise is, from the vocabulary in
  `assessments/rules/care.py` (`massage`, `knee_back_pressure`, `deep_work`, `mobilisation`,
  `stretch`, `nerve_stretch`, `knee_back_stretch`, `leg_exercise`, `heat`, `cold`). The hazard
  table (`assessments/rules/hazards.py`) says which tags each hazard withholds and on which side,
  so the exercise itself names no condition: the knee-back massage is `massage` +
  `knee_back_pressure`; the towel hamstring stretch is `stretch` + `knee_back_stretch` (the knee
  stays slightly bent); the lying knee-back release adds `nerve_stretch` (the hip is bent while
  the knee straightens, which tensions the nerve along the back of the leg); breathing and
  posture work carry none.

Default doses follow the domain brief ("The care plan"):
hamstring and knee-back stretches 20-30 s per side, 2-3 sets a day (30 s is the default here);
knee-back massage about 5 min per leg with ~10 s gentle presses; 3 minutes of morning breathing.
"""

EXERCISES: tuple[dict, ...] = (
    {
        "code": "towel_hamstring_stretch",
        "name_ja": "タオルで太もも裏ストレッチ",
        "name_en": "Towel hamstring stretch",
        "purpose": (
            "太ももの裏の筋肉(ハムストリングス)の硬さをやわらげ、"
            "歩くときに膝の裏が引っぱられる負担を減らします。"
        ),
        "steps": (
            "床かベッドに仰向けになり、伸ばさない方の脚は膝を立てておきます。",
            "伸ばす脚の足の裏にタオルを掛け、タオルの両端を両手で持ちます。",
            "膝を少し曲げたまま、その脚を天井の方へ持ち上げます。",
            "息を吐きながらタオルをゆっくり手前に引き、太ももの裏が心地よく伸びたところで止めます。",
            "呼吸を続けながら目安の秒数保ち、ゆっくり脚を下ろします。反対の脚も同じように行います。",
        ),
        "key_points": (
            "膝はまっすぐ伸ばしきらなくてかまいません。",
            "息は止めずに、吐く息に合わせて体の力を抜きます。",
        ),
        "cautions": (
            "強く突っぱる感じや痛みが出る前の、気持ちよい位置で止めてください。",
            "反動をつけてタオルを引かないでください。",
            "しびれや、膝の裏・ふくらはぎに走る痛みが出たら中止し、担当者に伝えてください。",
        ),
        "care_tags": ("stretch", "knee_back_stretch"),  # knee kept bent: no strong nerve tension
        "hold_seconds": 30,
        "reps": None,
        "sets": 2,
        "times_per_day": 1,
        "duration_minutes": None,
        "per_side": True,
        "targets": ("tight_hamstring", "knee_back_tension", "knee_back_pain", "desk_work"),
        "illustration": "exercises/towel_hamstring_stretch.svg",
    },
    {
        "code": "lying_knee_back_release",
        "name_ja": "寝たまま膝裏ゆるめ",
        "name_en": "Knee-back release lying down",
        "purpose": (
            "座っている時間が長いとこわばりやすい膝の裏と太ももの裏を、"
            "寝たままやさしくゆるめて血の巡りを助けます。"
        ),
        "steps": (
            "床に仰向けに寝て膝を立て、足の裏を床に置きます。",
            "片方の太ももの裏を両手で抱え、胸の方へゆっくり引き寄せます。",
            "腰を床につけたまま、抱えた脚の膝から下を楽な範囲で天井の方へ伸ばします。",
            "呼吸は止めずに目安の秒数そのままにし、静かに足を床へ戻します。",
            "反対の脚も同じように行います。",
        ),
        "key_points": (
            "腰は床から浮かせず、頭と肩の力は抜いておきます。",
            "膝の裏が気持ちよく伸びる程度でとどめ、膝を伸ばしきる必要はありません。",
        ),
        "cautions": (
            "膝の裏や脚の付け根に痛みが出たら、すぐに脚を下ろしてください。",
            "勢いをつけて脚を引き寄せないでください。",
        ),
        "care_tags": ("stretch", "nerve_stretch", "knee_back_stretch"),
        "hold_seconds": 30,
        "reps": None,
        "sets": 2,
        "times_per_day": 1,
        "duration_minutes": None,
        "per_side": True,
        "targets": ("knee_back_tension", "knee_back_pain", "tight_hamstring", "desk_work"),
        "illustration": "exercises/lying_knee_back_release.svg",
    },
    {
        "code": "knee_back_lymph_massage",
        "name_ja": "膝裏のやさしいリンパケア",
        "name_en": "Knee-back lymph massage",
        "purpose": (
            "膝の裏にたまりやすい水分や老廃物の流れを促し、"
            "脚のだるさ・重さ・つりやすさをやわらげます。"
        ),
        "steps": (
            "椅子に腰かけるかベッドであお向けになり、膝がゆるく曲がった楽な姿勢で脚の力を抜きます。",
            "両手の親指を除いた4本の指先をそろえ、膝の裏のくぼみの真ん中に添えます。",
            "目安の秒数だけ、指先でそっと押さえます。",
            "手のひら全体で、膝の裏から太ももの方へ向かって肌をなでるように軽くさすります。",
            "押さえる・さするをくり返し、目安の時間続けます。反対の脚も同じように行います。",
        ),
        "key_points": (
            "力加減は、肌の表面をなでる程度で十分です。",
            "お風呂から上がって体が温まっているうちに行うのがおすすめです。",
        ),
        "cautions": (
            "強く押したり、もみほぐしたりしないでください。",
            "膝の裏にしこりや脈打つふくらみがあるとき、片脚だけが腫れて熱いときは行わず、"
            "担当者に相談してください。",
            "痛みやしびれが強くなったら中止してください。",
        ),
        "care_tags": ("massage", "knee_back_pressure"),
        "hold_seconds": 10,
        "reps": None,
        "sets": None,
        "times_per_day": 1,
        "duration_minutes": 5,
        "per_side": True,
        "targets": ("knee_back_tension", "knee_back_pain", "night_cramps", "cold_extremities"),
        "illustration": "exercises/knee_back_lymph_massage.svg",
    },
    {
        "code": "morning_posture_breathing",
        "name_ja": "朝の姿勢リセット呼吸",
        "name_en": "Morning posture breathing",
        "purpose": (
            "一日の始めにゆっくりした呼吸で背骨と骨盤の位置を整え、猫背や反り腰のくせをリセットします。"
        ),
        "steps": (
            "足を腰幅に開いて立ち、左右の足に同じくらい体重をのせます。",
            "あごを軽く引き、頭のてっぺんを上から引かれるつもりで背すじを伸ばし、肩の力を抜きます。",
            "両手を下腹に当て、鼻からゆっくり息を吸って、お腹と肋骨がふくらむのを感じます。",
            "口から細く長く息を吐きながらお腹を軽く引き込み、反りすぎた腰をゆるめます。",
            "このゆっくりした呼吸を目安の時間続けます。",
        ),
        "key_points": (
            "吸う息よりも吐く息を長くすると、体の力が抜けやすくなります。",
            "胸を張りすぎず腰も反らさず、楽にまっすぐ立てる位置を探します。",
        ),
        "cautions": (
            "めまいや息苦しさを感じたら、座ってふだんの呼吸に戻してください。",
            "立っているのがつらい日は、椅子に座って行ってかまいません。",
        ),
        "care_tags": (),
        "hold_seconds": None,
        "reps": None,
        "sets": None,
        "times_per_day": 1,
        "duration_minutes": 3,
        "per_side": False,
        "targets": ("posture_kyphosis", "posture_lordosis", "desk_work"),
        "illustration": "exercises/morning_posture_breathing.svg",
    },
    {
        "code": "desk_break_knee_back_rub",
        "name_ja": "仕事の合間の膝裏さすり",
        "name_en": "Desk-break knee-back rub",
        "purpose": ("座りっぱなしで滞りやすい膝の裏の巡りを、仕事の休憩中の短い時間で助けます。"),
        "steps": (
            "椅子に浅めに座り、片方の足を少し前に出して膝を軽く曲げます。",
            "両手で膝を包むように持ち、指先を膝の裏に当てます。",
            "膝の裏から太ももの裏へ向かって、なでるように軽くさすります。目安の回数くり返します。",
            "反対の脚も同じように行い、できれば立ち上がって少し歩きます。",
        ),
        "key_points": (
            "休憩やお手洗いに立つついでに行うと、習慣にしやすくなります。",
            "力は入れず、肌をなでる程度で行います。",
        ),
        "cautions": (
            "膝の裏にしこり・熱・腫れがあるときは行わず、担当者に相談してください。",
            "痛みが出たらすぐにやめてください。",
        ),
        "care_tags": ("massage", "knee_back_pressure"),
        "hold_seconds": None,
        "reps": 10,
        "sets": None,
        "times_per_day": 3,
        "duration_minutes": None,
        "per_side": True,
        "targets": ("desk_work", "knee_back_tension", "cold_extremities"),
        "illustration": "exercises/desk_break_knee_back_rub.svg",
    },
    {
        "code": "wall_calf_stretch",
        "name_ja": "壁を使ったふくらはぎストレッチ",
        "name_en": "Wall calf stretch",
        "purpose": ("ふくらはぎと足首の硬さをやわらげ、歩くときに膝の裏へかかる負担を減らします。"),
        "steps": (
            "壁に向かって立ち、両手を肩の高さで壁につきます。",
            "伸ばす方の脚を大きく一歩うしろへ引き、つま先を正面に向けてかかとを床につけます。",
            "前の膝をゆっくり曲げて体を壁に近づけ、うしろ脚のふくらはぎが伸びたところで止めます。",
            "うしろの膝を伸ばしたまま目安の秒数保ち、ゆっくり戻します。反対の脚も同じように行います。",
        ),
        "key_points": (
            "うしろ脚のかかとが床から浮かないようにします。",
            "夜に脚がつりやすい方は、寝る前に行うのもおすすめです。",
        ),
        "cautions": (
            "ふくらはぎに鋭い痛みが出たら、すぐにやめてください。",
            "反動をつけて体を壁に押し込まないでください。",
            "ふくらはぎが片側だけ腫れて熱いときは行わず、早めに医療機関を受診してください。",
        ),
        "care_tags": ("stretch", "knee_back_stretch"),
        "hold_seconds": 30,
        "reps": None,
        "sets": 2,
        "times_per_day": 1,
        "duration_minutes": None,
        "per_side": True,
        "targets": ("calf_tension", "stiff_ankle", "night_cramps"),
        "illustration": "exercises/wall_calf_stretch.svg",
    },
    {
        "code": "knee_to_wall_ankle_rock",
        "name_ja": "膝を壁に近づける足首ほぐし",
        "name_en": "Knee-to-wall ankle rocking",
        "purpose": (
            "硬くなった足首の曲がりを少しずつ広げ、着地のときの衝撃を足首でもやわらげられるようにして"
            "膝の負担を減らします。"
        ),
        "steps": (
            "壁に向かって立ち、動かす方の足のつま先を壁から少し離して置きます。"
            "反対の足は半歩うしろへ引きます。",
            "両手を壁に添えて体を支えます。",
            "前の足のかかとを床につけたまま、膝をゆっくり前に出して壁に近づけます。",
            "膝が壁に触れるか、かかとが浮きそうになる手前で止め、ゆっくり戻します。",
            "目安の回数くり返し、反対の足も同じように行います。",
        ),
        "key_points": (
            "膝はつま先と同じ向きにまっすぐ前へ出します。",
            "楽に届くようになったら、つま先を壁から少しずつ離していきます。",
        ),
        "cautions": (
            "足首の前側が詰まるように痛むときは、動かす幅を小さくしてください。",
            "かかとを浮かせてまで膝を前に出さないでください。",
        ),
        "care_tags": ("stretch", "leg_exercise"),
        "hold_seconds": None,
        "reps": 10,
        "sets": 2,
        "times_per_day": 1,
        "duration_minutes": None,
        "per_side": True,
        "targets": ("stiff_ankle", "calf_tension"),
        "illustration": "exercises/knee_to_wall_ankle_rock.svg",
    },
    {
        "code": "lying_hip_rotation",
        "name_ja": "寝たまま膝倒し(股関節ゆらし)",
        "name_en": "Lying hip rotation",
        "purpose": (
            "股関節まわりのこわばりをほぐして歩幅を出しやすくし、膝にかかる衝撃を減らします。"
        ),
        "steps": (
            "床に仰向けに寝て膝を立て、足の裏を床に置きます。両腕は体の横に楽に広げます。",
            "両膝をそろえたまま、ゆっくり片側へ倒していきます。",
            "両肩が床から浮かない範囲で止め、ゆっくり真ん中へ戻します。",
            "反対側へも同じように倒し、左右交互に目安の回数くり返します。",
        ),
        "key_points": (
            "力で倒さず、脚の重さにまかせてゆらすように動かします。",
            "倒しにくい側があれば、その側は小さな幅でていねいに行います。",
        ),
        "cautions": (
            "股関節や腰に痛みが出る手前で止めてください。",
            "勢いをつけて膝を倒さないでください。",
        ),
        "care_tags": ("leg_exercise",),
        "hold_seconds": None,
        "reps": 10,
        "sets": 1,
        "times_per_day": 1,
        "duration_minutes": None,
        "per_side": False,
        "targets": ("stiff_hip", "desk_work"),
        "illustration": "exercises/lying_hip_rotation.svg",
    },
)
