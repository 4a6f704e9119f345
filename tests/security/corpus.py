"""The corpus of ordinary reports (tests/security/data, copied from shared/corpus; see its README)."""
from pathlib import Path

HERE = Path(__file__).parent / "data" / "benign-reports.txt"
SHARED = Path(__file__).parents[2] / ".." / "shared" / "corpus" / "benign-reports.txt"


def benign_lines() -> list[str]:
    """Every line of the corpus: the repository's copy, or CI's read-only shared/ beside the clone."""
    path = HERE if HERE.exists() else SHARED
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
