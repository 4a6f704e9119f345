"""Writing a school's archive: one zip file, written beside its target and moved in place when whole."""
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from importlib.metadata import version

from ..cases import audit
from ..db import utcnow
from ..platforms.models import School
from .contents import report_contents
from .exporters import SET_ASIDE, every_exporter


@dataclass
class Archive:
    path: str
    counts: dict[str, int] = field(default_factory=dict)
    report_contents: int = 0


def export_school(school: School, path: str, *, with_report_contents: bool = False) -> Archive:
    """Write the school's archive to path (never over an existing file); audit the export (flushes).

    The file is readable by its owner only: it holds names and, when asked, report contents.
    """
    if os.path.exists(path):
        raise FileExistsError(f"{path} exists already: choose another file.")
    archive = Archive(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(prefix=".school-export-", suffix=".zip", dir=folder)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zipped:
            for exporter in every_exporter():
                text, archive.counts[exporter.filename] = exporter.make(school.id)
                zipped.writestr(exporter.filename, text)
            if with_report_contents:
                text, archive.report_contents = report_contents(school.id)
                zipped.writestr("report_contents.json", text)
            zipped.writestr("manifest.json", json.dumps(_manifest(school, archive, with_report_contents),
                                                        ensure_ascii=False, indent=2))
        os.chmod(partial, 0o600)
        os.link(partial, path)  # fails rather than replace a file that appeared meanwhile
    finally:
        os.unlink(partial)
    audit.record(school.id, None, "school_exported_with_contents" if with_report_contents else "school_exported")
    return archive


def _manifest(school: School, archive: Archive, with_report_contents: bool) -> dict:
    return {"school": {"id": school.id, "name": school.name}, "exported_at": utcnow().isoformat(),
            "tool": f"Veilig Online {version('veilig-online')}", "files": archive.counts,
            "report_contents": archive.report_contents if with_report_contents else "not included",
            "left_out": SET_ASIDE}
