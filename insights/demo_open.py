"""Demo data of the operations centre's open data and periodic reports.

Run by insights/demo.py (`manage.py seed_demo`) after the directory, the catalogue, the dossiers and the
feedback. Idempotent: nothing is added once the demo template exists. Everything goes through the services, as
the administrator of UBND tỉnh:

- the province's datasets (procedures, dossier and feedback figures, agencies, administrative units, the 766 index);
- the template "Tình hình giải quyết thủ tục hành chính" (monthly, due 4 days after the cut-off), reported by
  Sở Tư pháp, Sở Xây dựng, phường Đồng Hới and xã Vĩnh Linh; the last closed period is opened, pre-filled from the
  demo dossiers; Sở Tư pháp's report is filled, signed by its leader and sent; phường Đồng Hới's is sent and
  returned for correction with a reason; the other two wait (late once the due day has passed).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from directory.demo import (
    COMMUNE_VINH_LINH,
    DEPT_CONSTRUCTION,
    DEPT_JUSTICE,
    PROVINCE_AGENCY,
    WARD_DONG_HOI,
)
from directory.models import Agency, User

from . import reports
from .models import Dataset, ReportTemplate
from .opendata_services import dataset_save

TEMPLATE = "tthc-hang-thang"

DATASETS = [
    ("thu-tuc-hanh-chinh", "Danh mục thủ tục hành chính", "procedures", "irregular", "thủ tục hành chính, danh mục"),
    (
        "so-lieu-giai-quyet-ho-so",
        "Số liệu giải quyết hồ sơ theo cơ quan và tháng",
        "dossier_figures",
        "daily",
        "hồ sơ, số liệu",
    ),
    (
        "so-lieu-phan-anh",
        "Số liệu phản ánh hiện trường theo cơ quan và tháng",
        "feedback_figures",
        "daily",
        "phản ánh, số liệu",
    ),
    ("co-quan-don-vi", "Danh sách cơ quan, đơn vị", "agencies", "irregular", "cơ quan, danh mục"),
    (
        "don-vi-hanh-chinh",
        "Danh mục đơn vị hành chính",
        "administrative_units",
        "yearly",
        "đơn vị hành chính, danh mục",
    ),
    (
        "chi-so-766",
        "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
        "index_766",
        "monthly",
        "766, chỉ số",
    ),
]

INDICATORS: list[dict[str, Any]] = [
    {"code": "tiep_nhan", "name": "Số hồ sơ tiếp nhận trong kỳ", "source": "dossiers_received", "unit": "hồ sơ"},
    {"code": "truc_tuyen", "name": "Trong đó: nộp trực tuyến", "source": "dossiers_online", "unit": "hồ sơ"},
    {"code": "giai_quyet", "name": "Số hồ sơ đã giải quyết", "source": "dossiers_finished", "unit": "hồ sơ"},
    {"code": "dung_han", "name": "Trong đó: đúng hạn", "source": "dossiers_on_time", "unit": "hồ sơ"},
    {"code": "qua_han", "name": "Trong đó: quá hạn", "source": "dossiers_late", "unit": "hồ sơ"},
    {
        "code": "phan_anh",
        "name": "Số phản ánh, kiến nghị được chuyển đến",
        "source": "feedback_received",
        "unit": "phản ánh",
    },
    {
        "code": "can_bo_mot_cua",
        "name": "Số công chức làm việc tại bộ phận một cửa",
        "source": "manual",
        "unit": "người",
        "definition": "Số người được cử làm việc tại bộ phận một cửa vào ngày cuối kỳ.",
    },
    {
        "code": "kien_nghi",
        "name": "Khó khăn, vướng mắc, kiến nghị (số kiến nghị)",
        "source": "manual",
        "unit": "kiến nghị",
        "required": False,
    },
]


def _last_closed_period() -> tuple[int, int]:
    """The month whose cut-off (the 14th) has passed: this month after the 14th, else the one before."""
    today = timezone.localdate()
    if today.day > 14:
        return today.year, today.month
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def load(stdout: Any) -> list:
    admin = User.objects.filter(username="admin").first()
    province = Agency.objects.filter(code=PROVINCE_AGENCY).first()
    if admin is None or province is None or ReportTemplate.objects.filter(code=TEMPLATE).exists():
        return []
    for name, title, builder, frequency, tags in DATASETS:
        if not Dataset.objects.filter(name=name).exists():
            dataset = Dataset(
                name=name,
                title=title,
                description=f"{title}, do Ủy ban nhân dân tỉnh công bố (dữ liệu demo).",
                builder=builder,
                publisher=province,
                frequency=frequency,
                tags=tags,
            )
            dataset_save(actor=admin, dataset=dataset, created=True)
    agencies = list(Agency.objects.filter(code__in=[DEPT_JUSTICE, DEPT_CONSTRUCTION, WARD_DONG_HOI, COMMUNE_VINH_LINH]))
    template = reports.template_save(
        actor=admin,
        template=ReportTemplate(
            code=TEMPLATE,
            title="Tình hình, kết quả giải quyết thủ tục hành chính",
            legal_basis="Thông tư 01/2020/TT-VPCP; chế độ báo cáo theo Nghị định 09/2019/NĐ-CP",
            period="monthly",
            deadline_days=4,
        ),
        created=True,
        indicators=INDICATORS,
        agencies=agencies,
    )
    year, month = _last_closed_period()
    made = reports.period_open(actor=admin, template=template, year=year, number=month)
    by_code = {r.agency.code: r for r in made}
    justice_report = by_code.get(DEPT_JUSTICE)
    specialist = User.objects.filter(username="chuyenvien.stp").first()
    leader = User.objects.filter(username="lanhdao.stp").first()
    if justice_report and specialist and leader:
        reports.report_fill(actor=specialist, report=justice_report, values={"can_bo_mot_cua": 3, "kien_nghi": 0})
        reports.report_submit(actor=leader, report=justice_report)
    ward_report = by_code.get(WARD_DONG_HOI)
    ward_leader = User.objects.filter(username="lanhdao.donghoi").first()
    if ward_report and ward_leader:
        reports.report_fill(actor=ward_leader, report=ward_report, values={"can_bo_mot_cua": 12})
        reports.report_submit(actor=ward_leader, report=ward_report)
        reports.report_return(
            actor=admin,
            report=ward_report,
            reason="Số công chức tại bộ phận một cửa chưa khớp với quyết định cử cán bộ; đề nghị rà soát, ký gửi lại.",
        )
    stdout.write(
        f"Dữ liệu mở: {len(DATASETS)} bộ dữ liệu (/du-lieu-mo/); báo cáo định kỳ: {len(made)} báo cáo "
        f"{made[0].label if made else ''} (/dieu-hanh/bao-cao/).\n"
    )
    return []
