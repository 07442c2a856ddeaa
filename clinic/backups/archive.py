"""The archive file: a tar.gz of members, with a manifest that gives each member's sha256.

    database/sqlite3.db or database/postgresql.dump   the database
    media/<path under MEDIA_ROOT>                     the uploaded files
    manifest.json                                     written last; see backups.create_backup

The checksums catch a damaged or altered archive. They are no signature: whoever can rewrite the
archive can rewrite its manifest too, so archives live where only the clinic can write.
"""

import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from clinic.backups.errors import BackupError

FORMAT, FORMAT_VERSION = "hikagami-backup", 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database/sqlite3.db", "postgresql": "database/postgresql.dump"}
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Archive:
    """An unpacked archive whose members all matched the manifest."""

    workdir: Path
    manifest: dict

    @property
    def engine(self):
        return self.manifest["engine"]

    @property
    def media(self):
        return sorted(name for name in self.manifest["members"] if name.startswith("media/"))

    def path_of(self, name) -> Path:
        return self.workdir / name


def write(target, members, manifest, *, mtime):
    """Write members [(name, path)] and then the manifest with their checksums; mode 0600."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)  # health data: the owner only, whatever the umask
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            checksums = {name: _add_file(tar, name, path) for name, path in members}
            data = json.dumps({**manifest, "members": checksums}, ensure_ascii=False, indent=1)
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data.encode()), 0o600, mtime
            tar.addfile(info, io.BytesIO(data.encode()))
        raw.flush()
        os.fsync(raw.fileno())


def _add_file(tar, name, path):
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as source:
        reader = _HashingReader(source)
        tar.addfile(info, reader)  # hashes exactly the bytes stored, even if the file changes
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


class _HashingReader:
    def __init__(self, source):
        self.source, self.digest = source, hashlib.sha256()

    def read(self, size=-1):
        chunk = self.source.read(size)
        self.digest.update(chunk)
        return chunk


def media_files(root, *, exclude) -> list[tuple[str, Path]]:
    """Every regular file under root, sorted; symbolic links are not followed, exclude skipped."""
    root = Path(root)
    if not root.is_dir():
        return []
    skip = Path(exclude).resolve()
    if root.resolve() == skip:
        raise BackupError(_("The backup folder must not be MEDIA_ROOT itself."))
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if (Path(folder) / d).resolve() != skip)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(("media/" + path.relative_to(root).as_posix(), path))
    return found


@contextmanager
def unpacked(path):
    """Unpack into a private temporary folder; refuse unless every member matches the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("No archive at %(path)s.") % {"path": path})
    with tempfile.TemporaryDirectory(prefix="hikagami-restore-") as work:
        workdir = Path(work)
        found = _unpack(path, workdir)
        manifest = _load_manifest(workdir / MANIFEST if MANIFEST in found else None)
        listed = manifest["members"]
        for name in sorted((set(found) - {MANIFEST}) | set(listed)):
            if found.get(name) != listed.get(name, {}).get("sha256"):
                raise BackupError(
                    _(
                        "The archive is damaged or was changed: %(name)s is missing or does not"
                        " match its checksum in the manifest. Nothing was restored."
                    )
                    % {"name": name}
                )
        yield Archive(workdir=workdir, manifest=manifest)


def read_manifest(path) -> dict:
    """The manifest of an archive whose members all match it."""
    with unpacked(path) as archive:
        return archive.manifest


def _unpack(path, workdir) -> dict[str, str]:
    """Copy each member out while hashing it; tar metadata (links, modes, owners) is not used."""
    found = {}
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for member in tar:
                name = _checked_name(member)
                if name in found:
                    raise BackupError(_("The archive holds %(name)s twice.") % {"name": name})
                target = workdir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, open(target, "wb") as copy:
                    reader = _HashingReader(source)
                    while chunk := reader.read(CHUNK):
                        copy.write(chunk)
                found[name] = reader.digest.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            _("%(path)s is not a readable backup archive (%(error)s).")
            % {"path": path, "error": error}
        ) from error
    return found


def _checked_name(member) -> str:
    name = PurePosixPath(member.name)
    expected = member.isfile() and (
        str(name) == MANIFEST
        or (
            len(name.parts) > 1
            and name.parts[0] in {"database", "media"}
            and not name.is_absolute()
            and ".." not in name.parts
        )
    )
    if not expected:
        raise BackupError(_("The archive holds an unexpected member: %(name)s") % {"name": name})
    return str(name)


def _load_manifest(path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8")) if path else None
        usable = (
            manifest["format"] == FORMAT
            and isinstance(manifest["format_version"], int)
            and manifest["engine"] in DATABASE_MEMBER
            and isinstance(manifest["members"], dict)
            and isinstance(manifest["row_counts"], dict)
            and isinstance(manifest["migrations"], list)
        )
    except (TypeError, KeyError, ValueError):
        usable = False
    if not usable:
        raise BackupError(
            _("This is not a Hikagami backup: its manifest is missing or unreadable.")
        )
    if manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(_("This archive was made by a newer version of Hikagami."))
    return manifest


def sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
