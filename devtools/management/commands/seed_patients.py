"""Fill a clinic with many realistic patients, for benchmarks: `seed_patients --count 100000`.

Idempotent: the clinic and its front-desk user are looked up before they are created, and the
patients are topped up to --count (numbers continue after the highest one), never duplicated.
The names come from a fixed seed, so two databases seeded to the same count hold the same rows.

Patient.save() computes the folded search columns; bulk_create skips save(), so every object gets
refresh_keys() before it is inserted.
"""

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max

from clinic.models import Clinic, Role, User
from patients.models import Patient, Sex, WorkStyle

SEED = 20261125
BATCH_SIZE = 5000

# The ~100 commonest family names, roughly in order of frequency, with their readings.
FAMILY_NAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("山下", "ヤマシタ"),
    ("中島", "ナカジマ"),
    ("石井", "イシイ"),
    ("小川", "オガワ"),
    ("前田", "マエダ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("藤田", "フジタ"),
    ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"),
    ("村上", "ムラカミ"),
    ("遠藤", "エンドウ"),
    ("青木", "アオキ"),
    ("坂本", "サカモト"),
    ("斉藤", "サイトウ"),
    ("福田", "フクダ"),
    ("太田", "オオタ"),
    ("西村", "ニシムラ"),
    ("藤井", "フジイ"),
    ("金子", "カネコ"),
    ("岡本", "オカモト"),
    ("藤原", "フジワラ"),
    ("中野", "ナカノ"),
    ("三浦", "ミウラ"),
    ("原田", "ハラダ"),
    ("中川", "ナカガワ"),
    ("松田", "マツダ"),
    ("竹内", "タケウチ"),
    ("小野", "オノ"),
    ("田村", "タムラ"),
    ("中山", "ナカヤマ"),
    ("和田", "ワダ"),
    ("石田", "イシダ"),
    ("森田", "モリタ"),
    ("上田", "ウエダ"),
    ("原", "ハラ"),
    ("内田", "ウチダ"),
    ("柴田", "シバタ"),
    ("酒井", "サカイ"),
    ("宮崎", "ミヤザキ"),
    ("横山", "ヨコヤマ"),
    ("高木", "タカギ"),
    ("安藤", "アンドウ"),
    ("宮本", "ミヤモト"),
    ("大野", "オオノ"),
    ("小島", "コジマ"),
    ("谷口", "タニグチ"),
    ("今井", "イマイ"),
    ("工藤", "クドウ"),
    ("高田", "タカダ"),
    ("増田", "マスダ"),
    ("丸山", "マルヤマ"),
    ("杉山", "スギヤマ"),
    ("村田", "ムラタ"),
    ("大塚", "オオツカ"),
    ("新井", "アライ"),
    ("小山", "コヤマ"),
    ("平野", "ヒラノ"),
    ("藤本", "フジモト"),
    ("河野", "コウノ"),
    ("上野", "ウエノ"),
    ("野口", "ノグチ"),
    ("武田", "タケダ"),
    ("松井", "マツイ"),
    ("千葉", "チバ"),
    ("岩崎", "イワサキ"),
    ("菅原", "スガワラ"),
    ("木下", "キノシタ"),
    ("久保", "クボ"),
    ("佐野", "サノ"),
    ("野村", "ノムラ"),
    ("松尾", "マツオ"),
    ("市川", "イチカワ"),
    ("菊地", "キクチ"),
]
# Commoner names weigh more (roughly like real surname frequencies: 佐藤 ≈ 7x 菊地).
FAMILY_WEIGHTS = [1 / (rank + 1) ** 0.45 for rank in range(len(FAMILY_NAMES))]

MALE_NAMES = [
    ("太郎", "タロウ"),
    ("翔太", "ショウタ"),
    ("健一", "ケンイチ"),
    ("大輔", "ダイスケ"),
    ("誠", "マコト"),
    ("浩二", "コウジ"),
    ("隆", "タカシ"),
    ("拓也", "タクヤ"),
    ("和夫", "カズオ"),
    ("悠斗", "ユウト"),
    ("修", "オサム"),
    ("直樹", "ナオキ"),
    ("剛", "ツヨシ"),
    ("勇気", "ユウキ"),
    ("颯", "ハヤテ"),
    ("蓮", "レン"),
    ("陽翔", "ハルト"),
    ("湊", "ミナト"),
    ("大翔", "ヒロト"),
    ("悠真", "ユウマ"),
    ("健太", "ケンタ"),
    ("翔", "ショウ"),
    ("亮", "リョウ"),
    ("達也", "タツヤ"),
    ("和也", "カズヤ"),
    ("哲也", "テツヤ"),
    ("聡", "サトシ"),
    ("学", "マナブ"),
    ("博", "ヒロシ"),
    ("清", "キヨシ"),
    ("茂", "シゲル"),
    ("進", "ススム"),
    ("実", "ミノル"),
    ("勝", "マサル"),
    ("正樹", "マサキ"),
    ("秀樹", "ヒデキ"),
    ("康弘", "ヤスヒロ"),
    ("雅人", "マサト"),
    ("一郎", "イチロウ"),
    ("健二", "ケンジ"),
    ("光", "ヒカル"),
    ("大樹", "ダイキ"),
    ("拓海", "タクミ"),
    ("陸", "リク"),
    ("樹", "イツキ"),
    ("慎也", "シンヤ"),
    ("優太", "ユウタ"),
    ("隼人", "ハヤト"),
    ("俊介", "シュンスケ"),
    ("浩", "ヒロシ"),
]
FEMALE_NAMES = [
    ("美穂", "ミホ"),
    ("由美子", "ユミコ"),
    ("さやか", "サヤカ"),
    ("優子", "ユウコ"),
    ("恵", "メグミ"),
    ("奈々", "ナナ"),
    ("真理", "マリ"),
    ("千尋", "チヒロ"),
    ("明美", "アケミ"),
    ("陽子", "ヨウコ"),
    ("彩", "アヤ"),
    ("久美子", "クミコ"),
    ("舞", "マイ"),
    ("礼子", "レイコ"),
    ("智子", "トモコ"),
    ("陽菜", "ヒナ"),
    ("結衣", "ユイ"),
    ("葵", "アオイ"),
    ("さくら", "サクラ"),
    ("美咲", "ミサキ"),
    ("花子", "ハナコ"),
    ("愛", "アイ"),
    ("裕子", "ユウコ"),
    ("幸子", "サチコ"),
    ("洋子", "ヨウコ"),
    ("京子", "キョウコ"),
    ("直美", "ナオミ"),
    ("真由美", "マユミ"),
    ("美香", "ミカ"),
    ("麻衣", "マイ"),
    ("愛子", "アイコ"),
    ("香織", "カオリ"),
    ("恵子", "ケイコ"),
    ("和子", "カズコ"),
    ("節子", "セツコ"),
    ("純子", "ジュンコ"),
    ("由紀", "ユキ"),
    ("沙織", "サオリ"),
    ("理恵", "リエ"),
    ("美和", "ミワ"),
    ("瞳", "ヒトミ"),
    ("彩花", "アヤカ"),
    ("七海", "ナナミ"),
    ("凛", "リン"),
    ("芽依", "メイ"),
    ("美月", "ミツキ"),
    ("杏", "アン"),
    ("紬", "ツムギ"),
    ("莉子", "リコ"),
    ("咲", "サキ"),
]
WARDS = [
    "渋谷区神宮前",
    "世田谷区三軒茶屋",
    "杉並区高円寺南",
    "練馬区豊玉北",
    "目黒区自由が丘",
    "中野区中野",
    "大田区蒲田",
    "品川区大井",
    "川崎市中原区小杉町",
    "横浜市港北区日吉",
]
OCCUPATIONS = {
    WorkStyle.DESK: ["会社員", "事務職", "プログラマー", "学生"],
    WorkStyle.STANDING: ["販売員", "看護師", "調理師", "美容師"],
    WorkStyle.DRIVING: ["配送ドライバー", "タクシー運転手", "営業職"],
    WorkStyle.MIXED: ["自営業", "主婦", "教員", "農業"],
}
MOBILE_PREFIXES = ["090"] * 6 + ["080"] * 3 + ["070"]
BIRTH_START = dt.date(1935, 1, 1)
BIRTH_DAYS = (dt.date(2020, 12, 31) - BIRTH_START).days


def patient_rows(rng: random.Random, count: int):
    """The first `count` patients of the fixed sequence, as dicts of field values."""
    work_styles = list(OCCUPATIONS)
    for index in range(count):
        family, family_kana = rng.choices(FAMILY_NAMES, weights=FAMILY_WEIGHTS)[0]
        female = rng.random() < 0.55  # seitai clinics see somewhat more women
        given, given_kana = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        work = rng.choice(work_styles)
        prefix = rng.choice(MOBILE_PREFIXES)
        phone = f"{prefix}-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}"
        yield {
            "family_name": family,
            "given_name": given,
            "family_name_kana": family_kana,
            "given_name_kana": given_kana,
            "sex": Sex.FEMALE if female else Sex.MALE,
            "birth_date": BIRTH_START + dt.timedelta(days=rng.randrange(BIRTH_DAYS)),
            "phone": phone,
            "email": f"patient{index + 1}@example.jp" if rng.random() < 0.6 else "",
            "postal_code": f"{rng.randrange(100, 240)}-{rng.randrange(10000):04d}",
            "address": f"東京都{rng.choice(WARDS)}{rng.randrange(1, 6)}-{rng.randrange(1, 30)}"
            f"-{rng.randrange(1, 20)}",
            "occupation": rng.choice(OCCUPATIONS[work]),
            "work_style": work,
        }


class Command(BaseCommand):
    help = "Create a clinic with a front-desk user and top it up to --count realistic patients."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000)
        parser.add_argument("--clinic", default="bench", help="slug of the clinic to fill")

    def handle(self, *args, count, clinic, **options):
        if count < 0:
            raise CommandError("--count must be zero or more.")
        started = time.perf_counter()
        with transaction.atomic():
            target, _ = Clinic.objects.get_or_create(
                slug=clinic, defaults={"name": f"ベンチマーク整体院 ({clinic})"}
            )
            desk = self._front_desk(target)
            created = self._top_up(target, desk, count)
        if created and connection.vendor == "postgresql":
            # What autovacuum does after a bulk load (fresh statistics and visibility map), done
            # now so the first benchmark run sees the steady state.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Patient._meta.db_table}")
        total = Patient.objects.filter(clinic=target).count()
        self.stdout.write(
            f"Clinic '{clinic}': {total} patients ({created} created) in "
            f"{time.perf_counter() - started:.1f} s on {connection.vendor}."
        )

    def _front_desk(self, clinic):
        username = f"{clinic.slug}-frontdesk"
        desk, created = User.objects.get_or_create(
            clinic=clinic,
            username=username,
            defaults={"role": Role.FRONT_DESK, "display_name": "ベンチ 受付"},
        )
        if created:
            desk.set_unusable_password()
            desk.save(update_fields=["password"])
        elif desk.role != Role.FRONT_DESK or not desk.is_active:
            raise CommandError(f"User {username} exists but is not this clinic's front desk.")
        return desk

    def _top_up(self, clinic, desk, count) -> int:
        existing = Patient.objects.filter(clinic=clinic).count()
        if existing >= count:
            return 0
        last = Patient.objects.filter(clinic=clinic).aggregate(last=Max("number"))["last"] or 0
        next_number = max(last + 1, clinic.next_patient_number)
        rng = random.Random(SEED)
        batch, created = [], 0
        for index, row in enumerate(patient_rows(rng, count)):
            if index < existing:
                continue  # these rows were created by an earlier run
            patient = Patient(clinic=clinic, number=next_number, created_by=desk, **row)
            patient.refresh_keys()  # bulk_create does not call save()
            batch.append(patient)
            next_number += 1
            if len(batch) == BATCH_SIZE:
                created += len(Patient.objects.bulk_create(batch, batch_size=BATCH_SIZE))
                batch = []
        if batch:
            created += len(Patient.objects.bulk_create(batch, batch_size=BATCH_SIZE))
        Clinic.objects.filter(pk=clinic.pk).update(next_patient_number=next_number)
        return created
