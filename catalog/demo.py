"""Demo catalogue: real procedures of Quảng Trị's one-stop system, loaded through the import code.

The data lives in catalog/data/demo_catalog.json (the import/export JSON format, see catalog/io.py).
Values not verified against the national procedure database or the province's HĐND resolutions are
flagged in each procedure's "note" so the province can correct them. Idempotent: a second run finds
every procedure unchanged.
"""

from pathlib import Path

from .io import import_catalog

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_catalog.json"


def load(stdout) -> list[tuple[str, str, str]]:
    result = import_catalog(DEMO_FILE.read_bytes(), DEMO_FILE.name, actor=None)
    if not result.ok:
        lines = [f"  {i['sheet']} {i['row']} [{i['column']}]: {i['message']}" for i in result.report[:20]]
        raise RuntimeError("demo catalogue does not import:\n" + "\n".join(lines))
    summary = result.summary
    stdout.write(
        f"  thủ tục: {summary['created']} mới, {summary['versioned']} phiên bản mới, {summary['unchanged']} không đổi\n"
    )
    return []
