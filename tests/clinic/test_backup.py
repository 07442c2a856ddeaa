"""backup and restore: the demo clinic goes into an archive and comes back, record for record.

`transaction=True`: the online backup and pg_dump read the database through their own
connections, so the data must be committed. Each restore goes into a second, empty database on
the engine under test (a temporary SQLite file, or a throwaway PostgreSQL database), reached
through a connection alias added at run time.
"""

import datetime as dt
import io
import json
import stat
import tarfile

import pytest
from axes.models import AccessLog
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.utils import translation

from clinic.models import Clinic
from tests.factories import UserFactory, log_in

pytestmark = pytest.mark.django_db(transaction=True)

RESTORED = "restored"


@pytest.fixture(autouse=True)
def _messages_in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database(tmp_path):
    """A second database on the same engine, with no tables, as the alias RESTORED.

    A copy of the default connection registered under a new alias but not in settings: Django's
    test case then treats it as a connection of the test's own rather than a forbidden database.
    """
    restored = connection.copy(RESTORED)
    if connection.vendor == "sqlite":
        restored.settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        restored.settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restored"[:63]
        _server(f"DROP DATABASE IF EXISTS {_q(restored.settings_dict['NAME'])}")
        _server(f"CREATE DATABASE {_q(restored.settings_dict['NAME'])}")
    connections[RESTORED] = restored
    yield RESTORED
    restored.close()
    del connections[RESTORED]
    if connection.vendor == "postgresql":
        _server(f"DROP DATABASE IF EXISTS {_q(restored.settings_dict['NAME'])} WITH (FORCE)")


def _server(sql):
    with connection.cursor() as cursor:  # autocommit: CREATE DATABASE runs outside a transaction
        cursor.execute(sql)


def _q(name):
    return connection.ops.quote_name(name)


def test_the_commands_speak_japanese_by_default(tmp_path, media):
    archive = _backup(tmp_path)
    Clinic.objects.create(name="後から", slug="later")
    # as `manage.py restore` run by hand shows it (LANGUAGE_CODE ja)
    with translation.override("ja"), pytest.raises(CommandError, match="空ではありません"):
        call_command("restore", str(archive), yes=True, stdout=io.StringIO())


def _backup(tmp_path):
    # The commands speak the clinic's language (Japanese); the other tests read the msgids.
    with translation.override("en"):
        call_command("backup", output_dir=str(tmp_path / "backups"), stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").iterdir()
    return archive


def _restore(archive, using=RESTORED):
    out = io.StringIO()
    with translation.override("en"):
        call_command("restore", str(archive), yes=True, database=using, stdout=out)
    return out.getvalue()


def _every_record(using):
    """Every row of every model of every app (auth, sessions, axes...), in primary-key order."""
    records = {
        model._meta.db_table: list(model._base_manager.using(using).order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        records["django_migrations"] = [tuple(row) for row in cursor.fetchall()]
    return records


def _table_names(using):
    with connections[using].cursor() as cursor:
        return connections[using].introspection.table_names(cursor)


def _rewritten(archive, tmp_path, changes):
    """A copy of the archive with members replaced or added ({name: bytes})."""
    copy = tmp_path / "changed.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(copy, "w:gz") as target:
        members = {m.name: source.extractfile(m).read() for m in source}
        for name, data in {**members, **changes}.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


def _manifest(archive):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_a_restored_demo_clinic_matches_the_original_record_for_record(
    tmp_path, media, empty_database
):
    call_command("load_demo", stdout=io.StringIO())
    assert log_in(Client(), "demo-frontdesk", "demo-pass-2026")  # a session and an access log
    assert not log_in(Client(), "demo-frontdesk", "wrong-password")  # an access attempt
    original = _every_record("default")
    kept = ("clinic_auditentry", "django_session", "axes_accesslog", "axes_accessattempt")
    assert all(original[table] for table in kept)

    output = _restore(_backup(tmp_path))

    assert _every_record(empty_database) == original
    assert "each table's count as in the manifest" in output
    later = AccessLog.objects.using(empty_database).create(user_agent="later", path_info="/")
    assert later.pk > max(row["id"] for row in original["axes_accesslog"])  # sequences came too


def test_it_restores_into_a_freshly_migrated_database(tmp_path, media, empty_database):
    UserFactory(username="kept")
    archive = _backup(tmp_path)
    call_command("migrate", database=empty_database, verbosity=0)

    _restore(archive)

    assert _every_record(empty_database) == _every_record("default")


def test_it_refuses_a_database_with_rows_and_changes_nothing(tmp_path, media):
    UserFactory(username="kept")
    archive = _backup(tmp_path)
    Clinic.objects.create(name="後から", slug="later")
    before = _every_record("default")

    with pytest.raises(CommandError, match="not empty"):
        _restore(archive, using="default")

    assert _every_record("default") == before


def test_a_target_migrated_further_than_the_archive(tmp_path, media, empty_database):
    """PostgreSQL restores into the target's schema, so a newer schema is refused; SQLite
    replaces the whole file, newer migrations and all, so there is nothing to refuse."""
    archive = _backup(tmp_path)
    call_command("migrate", database=empty_database, verbosity=0)
    now = "NOW()" if connection.vendor == "postgresql" else "CURRENT_TIMESTAMP"
    with connections[empty_database].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO django_migrations (app, name, applied) VALUES ('clinic', 'later', {now})"
        )

    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="migrated further"):
            _restore(archive)
        return
    _restore(archive)
    with connections[empty_database].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE name = 'later'")
        assert cursor.fetchone()[0] == 0


def test_it_refuses_an_archive_whose_database_was_changed(tmp_path, media, empty_database):
    archive = _backup(tmp_path)
    member = f"database/{'sqlite3.db' if connection.vendor == 'sqlite' else 'postgresql.dump'}"
    changed = _rewritten(archive, tmp_path, {member: b"not the database"})

    with pytest.raises(CommandError, match=f"changed: {member} is missing or does not match"):
        _restore(changed)

    assert _table_names(empty_database) == []


def test_it_refuses_an_archive_with_a_file_the_manifest_does_not_list(
    tmp_path, media, empty_database
):
    changed = _rewritten(_backup(tmp_path), tmp_path, {"media/extra.txt": b"x"})

    with pytest.raises(CommandError, match="media/extra.txt is missing or does not match"):
        _restore(changed)

    assert _table_names(empty_database) == []


def test_it_refuses_an_archive_from_another_engine(tmp_path, media, empty_database):
    archive = _backup(tmp_path)
    manifest = _manifest(archive)
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]
    manifest["engine"] = other
    changed = _rewritten(archive, tmp_path, {"manifest.json": json.dumps(manifest).encode()})

    with pytest.raises(CommandError, match=f"holds a {other} database"):
        _restore(changed)

    assert _table_names(empty_database) == []


def test_a_file_that_is_not_a_backup_is_refused_with_a_message(tmp_path, empty_database):
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"plain text")

    with pytest.raises(CommandError, match="not a readable backup archive"):
        _restore(not_a_backup)


def test_it_asks_before_restoring_and_needs_yes_without_a_terminal(tmp_path, media, empty_database):
    archive = _backup(tmp_path)

    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", str(archive), database=empty_database)

    assert _table_names(empty_database) == []


def test_the_archive_is_dated_complete_and_readable_by_its_owner_only(tmp_path, settings, media):
    UserFactory(username="kept")
    settings.BACKUP_DIR = tmp_path / "backups"
    call_command("backup", stdout=io.StringIO())

    (archive,) = settings.BACKUP_DIR.iterdir()  # and no temporary file left beside it
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    manifest = _manifest(archive)
    created = dt.datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert archive.name == f"hikagami-backup-{created:%Y%m%d-%H%M%S}.tar.gz"
    assert manifest["engine"] == connection.vendor
    assert manifest["row_counts"]["clinic_user"] == 1
    assert ["clinic", "0001_initial"] in manifest["migrations"]


def test_uploaded_files_come_back_byte_for_byte(tmp_path, settings, media, empty_database):
    files = {"patients/1/写真.jpg": bytes(range(256)) * 40, "consent.pdf": b"%PDF-1.7 ..."}
    for name, data in files.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
    archive = _backup(tmp_path)
    settings.MEDIA_ROOT = tmp_path / "elsewhere"

    _restore(archive)

    assert {name: (tmp_path / "elsewhere" / name).read_bytes() for name in files} == files


def test_it_refuses_to_overwrite_a_different_uploaded_file(tmp_path, media, empty_database):
    media.mkdir()
    (media / "consent.pdf").write_bytes(b"ours")
    archive = _backup(tmp_path)
    (media / "consent.pdf").write_bytes(b"someone else's")

    with pytest.raises(CommandError, match="MEDIA_ROOT already holds other files"):
        _restore(archive)

    assert _table_names(empty_database) == []
    assert (media / "consent.pdf").read_bytes() == b"someone else's"


def test_a_backup_folder_inside_media_root_is_not_archived_into_itself(tmp_path, media):
    (media / "backups").mkdir(parents=True)
    (media / "backups" / "hikagami-backup-older.tar.gz").write_bytes(b"an older archive")
    (media / "scan.png").write_bytes(b"png")
    call_command("backup", output_dir=str(media / "backups"), stdout=io.StringIO())

    (archive,) = (media / "backups").glob("hikagami-backup-2*.tar.gz")
    assert [m for m in _manifest(archive)["members"] if m.startswith("media/")] == [
        "media/scan.png"
    ]
