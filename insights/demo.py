"""Demo data of the operations centre: the open data and periodic reports (demo_open.py), then the index's
definitions (already loaded by migration 0002 unless a reset removed them) and the rollups computed from the
demo's dossiers and feedback reports. It comes last in portal's seed_demo (DEMO_APPS), after the apps whose data
it sums."""

from . import demo_open
from .definitions import load as load_definitions
from .models import IndexDecision, Indicator, IndicatorGroup, PlanTarget
from .rollups import rebuild


def load(stdout) -> list:
    demo_open.load(stdout)  # the datasets and the periodic reports (insights/demo_open.py)
    added = load_definitions(IndexDecision, IndicatorGroup, Indicator, PlanTarget)
    counts = rebuild()
    stdout.write(
        f"Điều hành: {added} dòng định nghĩa chỉ số; tổng hợp {counts['dossier_facts']} hồ sơ, "
        f"{counts['report_facts']} phản ánh."
    )
    return []
