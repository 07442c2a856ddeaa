import datetime as dt

import factory
from auditlog.context import disable_auditlog
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Clinic, Role, User
from patients import services
from patients.models import (
    Appointment,
    Menu,
    OpeningHours,
    Patient,
    Product,
    TicketPackage,
)

PASSWORD = "a-long-test-password-2026"
# The test clinics' opening hours, every day of the week.
TEST_OPENS, TEST_CLOSES = dt.time(7), dt.time(22)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"テスト整体院{n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")

    @factory.post_generation
    def opening_hours(obj, create, extracted, **kwargs):
        """Open every day 07:00-22:00 (pass opening_hours=False for a clinic that has entered
        none): a test may book at any reasonable hour on whatever weekday the suite runs. Set
        up without audit entries, like the rest of a test's cast before it acts."""
        if not create or extracted is False:
            return
        with disable_auditlog():
            for weekday in range(7):
                OpeningHours.objects.create(
                    clinic=obj, weekday=weekday, opens=TEST_OPENS, closes=TEST_CLOSES
                )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"職員 {n}")
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.PRACTITIONER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    number = factory.LazyAttribute(lambda o: services.next_patient_number(clinic_id=o.clinic.pk))
    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    family_name_kana = "ヤマダ"
    given_name_kana = factory.Sequence(lambda n: "タロウ" + "ア" * (n % 5))
    birth_date = dt.date(1980, 4, 1)
    sex = "male"
    phone = factory.Sequence(lambda n: f"090-{n // 10000 % 10000:04d}-{n % 10000:04d}")


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.LazyAttribute(lambda o: o.patient.clinic)
    practitioner = factory.SubFactory(
        UserFactory, clinic=factory.SelfAttribute("..clinic"), role=Role.PRACTITIONER
    )
    # Two days ahead at noon: never "today" (the homes' lists) nor "tomorrow" (booking tests).
    start = factory.LazyFunction(
        lambda: timezone.make_aware(
            dt.datetime.combine(timezone.localdate() + dt.timedelta(days=2), dt.time(12))
        )
    )
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(minutes=30))


class MenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Menu

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"整体コース{n}")
    minutes = 45
    price = 6600


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"膝サポーター{n}")
    price = 3300


class TicketPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketPackage

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"5回券{n}")
    visits = 5
    price = 24000
    valid_months = 6
    regular_price = 6600
    refund_fee_percent = 10
    terms = "未使用分は通常料金との差額から手数料10%を引いて返金します。"
    terms_version = "2026-12"


def clinic_of(username: str) -> str:
    """The clinic code of the one account with this name (the tests' names are unique across
    clinics; a test of two clinics with one name passes the code itself)."""
    codes = list(User.objects.filter(username__iexact=username).values_list("clinic__slug"))
    assert len(codes) == 1, f"{len(codes)} accounts named {username!r}: give the clinic code"
    return codes[0][0]


def log_in(client, username: str, password: str, *, clinic: str | None = None) -> bool:
    """Log in through the log-in page, as a person does (so the lockout sees every attempt),
    with the clinic code of that account unless `clinic` says another."""
    from django.urls import reverse

    data = {"clinic": clinic or clinic_of(username), "username": username, "password": password}
    response = client.post(reverse("login"), data)
    return response.status_code == 302 and "_auth_user_id" in client.session


def enrol(user) -> TOTPDevice:
    """A confirmed authenticator for the user, as if they had set it up."""
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def next_code(device) -> str:
    """The code the app would show that the device accepts next: now, or the next time step
    when this one was already used (a code works once)."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    return f"{hotp(device.bin_key, max(now, device.last_t + 1), device.digits):06d}"


def wrong_code(device) -> str:
    """A code the device refuses: none of those it accepts around now."""
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    right = {f"{hotp(device.bin_key, t, device.digits):06d}" for t in range(now - 2, now + 3)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in right)


def verify_session(client, device):
    """Mark a test client's session as having given the second factor (as django-otp's login)."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
