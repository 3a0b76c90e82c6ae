"""Backup and restore of the database and the attachments, as one folder:

    database.dump   (PostgreSQL, pg_dump custom format)  or  database.sqlite3 (SQLite)
    media.tar.gz    (the attachments)
    manifest.json   (when, what, how many reports, and a SHA-256 of each file)

A restore checks the manifest's checksums before it touches anything."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from .models import Attachment, Report


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> dict:
    s = connection.settings_dict
    env = {**os.environ, "PGHOST": s["HOST"] or "127.0.0.1", "PGPORT": str(s["PORT"] or 5432)}
    env["PGUSER"] = s["USER"] or "postgres"
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def backup(target: Path) -> dict:
    """Writes a backup into ``target`` (created; must be empty). Returns the manifest."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        db_file = target / "database.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={db_file}", name],
            env=_pg_env(),
            check=True,
            capture_output=True,
        )
    else:
        db_file = target / "database.sqlite3"
        source = sqlite3.connect(str(name))
        dest = sqlite3.connect(str(db_file))
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
    media_file = target / "media.tar.gz"
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(media_file, "w:gz") as tar:
        if media_root.exists():
            tar.add(media_root, arcname="media")
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": connection.vendor,
        "reports": Report.objects.count(),
        "attachments": Attachment.objects.count(),
        "files": {p.name: _sha256(p) for p in (db_file, media_file)},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(source: Path) -> dict:
    """Restores the database and attachments from a backup folder made by ``backup``."""
    manifest = json.loads((source / "manifest.json").read_text())
    for filename, checksum in manifest["files"].items():
        if _sha256(source / filename) != checksum:
            raise BackupError(f"{filename} does not match its checksum: the backup is damaged")
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"backup is of {manifest['vendor']}, this database is {connection.vendor}"
        )
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        _drop_partitioned_tables()
    connection.close()
    if connection.vendor == "postgresql":
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                f"--dbname={name}",
                str(source / "database.dump"),
            ],
            env=_pg_env(),
            check=True,
            capture_output=True,
        )
    else:
        src = sqlite3.connect(str(source / "database.sqlite3"))
        dest = sqlite3.connect(str(name))
        with dest:
            src.backup(dest)
        src.close()
        dest.close()
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        staging = source / ".restore-media"
        tar.extractall(staging, filter="data")
        if (staging / "media").exists():
            shutil.move(str(staging / "media"), str(media_root))
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _drop_partitioned_tables() -> None:
    """pg_restore --clean tries to drop each partition's inherited primary key before it drops
    the partitioned table, which PostgreSQL refuses (the restore then ends with errors). The
    partitioned tables (complaints.partitions), their partitions with them, go first; the
    dump makes them again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE pg_table_is_visible(c.oid)"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
