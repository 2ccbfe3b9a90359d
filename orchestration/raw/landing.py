"""Finding the extract files in the landing folder and fingerprinting them."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.raw.contract import TABLES, Table

logger = logging.getLogger(__name__)

READABLE_SUFFIXES = (".parquet", ".csv")
_HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class LandingFile:
    """One extract file of one contract table, identified by path and content."""

    table: Table
    path: Path
    relative_path: str
    size_bytes: int
    modified_ns: int
    content_hash: str

    def changed_since_found(self) -> bool:
        """Whether the file was rewritten (or removed) after it was hashed, so what a
        reader saw may not be the content the hash names."""
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return True
        return (status.st_size, status.st_mtime_ns) != (self.size_bytes, self.modified_ns)

    @property
    def file_format(self) -> str:
        return self.path.suffix.lower().lstrip(".")


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes: the same content under the same path is the same file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _is_hidden(path: Path, folder: Path) -> bool:
    """Names starting with ``.`` or ``_`` (a file, or a folder on its way) are not
    extracts: editors' and uploaders' temporary files, markers, staging folders."""
    return any(part.startswith((".", "_")) for part in path.relative_to(folder).parts)


def discover(landing_dir: Path, tables: tuple[Table, ...] = TABLES) -> list[LandingFile]:
    """Every file under ``<landing>/<source>/<table>/``, in contract load order.

    Within a table, files are ordered by path, so monthly extracts named by date load
    oldest first and "load order" means the same thing on every machine.
    """
    found: list[LandingFile] = []
    for table, path in extract_paths(landing_dir, tables):
        # Stat before hashing: a write after the stat then shows as a change.
        status = path.stat()
        found.append(
            LandingFile(
                table=table,
                path=path,
                relative_path=path.relative_to(landing_dir).as_posix(),
                size_bytes=status.st_size,
                modified_ns=status.st_mtime_ns,
                content_hash=content_hash(path),
            )
        )
    _warn_about_unknown_folders(landing_dir)
    return found


def extract_paths(
    landing_dir: Path, tables: tuple[Table, ...] = TABLES
) -> Iterator[tuple[Table, Path]]:
    """The extract files under ``<landing>/<source>/<table>/`` in load order, without
    reading them: cheap enough to poll."""
    for table in tables:
        folder = landing_dir / table.source / table.name
        if folder.is_dir():
            for path in sorted(
                p for p in folder.rglob("*") if p.is_file() and not _is_hidden(p, folder)
            ):
                yield table, path


def _warn_about_unknown_folders(landing_dir: Path) -> None:
    known = {(table.source, table.name) for table in TABLES}
    for folder in sorted(landing_dir.glob("*/*")):
        if folder.is_dir() and (folder.parent.name, folder.name) not in known:
            logger.warning(
                "%s is not a table of the raw contract; its files are ignored",
                folder.relative_to(landing_dir).as_posix(),
            )
