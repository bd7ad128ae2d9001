"""The index's definitions as they stand today, loaded once into the tables an administrator edits.

Source: Quyết định 766/QĐ-TTg ngày 23/6/2022 of the Prime Minister (five groups, 100 points; the satisfaction
group's three ratios of 6 points each are in the decision). The points of the other indicators and the targets
are those the National Public Service Portal scores with; they are not verified against the decision's
appendix, which is why they are data (insights.Indicator) and not code: a new decision changes rows, not code.

Loaded by the data migration `0002_seed_decision_766` and by `manage.py insights_seed` (which adds what is
missing and leaves rows an administrator has changed alone). Plan targets: the examples of issue 20
(the province's plan; the source document is a placeholder the province replaces with its own).
"""

import datetime as dt

DECISION = {
    "code": "766/QĐ-TTg",
    "title": (
        "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ phê duyệt Bộ chỉ số chỉ đạo, điều hành và "
        "đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công "
        "theo thời gian thực trên môi trường điện tử"
    ),
    "signed_on": dt.date(2022, 6, 23),
    "note": "Điểm từng chỉ số và chỉ tiêu theo cách chấm của Cổng DVC quốc gia; cần đối chiếu phụ lục Quyết định.",
}

PORTAL = "Cách chấm của Cổng Dịch vụ công quốc gia (chưa đối chiếu phụ lục QĐ 766)"
DECISION_TEXT = "Quyết định 766/QĐ-TTg"

NOT_IN_CATALOG = (
    "Việc công bố, công khai thủ tục đúng hạn được chấm trên Cơ sở dữ liệu quốc gia về thủ tục hành chính "
    "(ngày ban hành quyết định công bố so với ngày có hiệu lực); danh mục của nền tảng là bản sao, "
    "không giữ các mốc đó."
)

# (group code, name, max points, [(indicator code, name, points, target %, formula, not-measured reason, source)])
GROUPS = [
    (
        "CKMB",
        "Công khai, minh bạch",
        18,
        [
            (
                "CKMB1",
                "Thủ tục hành chính được công bố, công khai đúng hạn",
                6,
                100,
                "not_measured",
                NOT_IN_CATALOG,
                PORTAL,
            ),
            ("CKMB2", "Thủ tục được cập nhật, công khai đúng hạn", 4, 100, "not_measured", NOT_IN_CATALOG, PORTAL),
            ("CKMB3", "Thủ tục được công khai đầy đủ", 2, 100, "not_measured", NOT_IN_CATALOG, PORTAL),
            ("CKMB4", "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", 6, 100, "synced", "", PORTAL),
        ],
    ),
    (
        "TDGQ",
        "Tiến độ, kết quả giải quyết",
        20,
        [("TDGQ1", "Hồ sơ giải quyết trước hạn, đúng hạn", 20, 80, "on_time", "", DECISION_TEXT)],
    ),
    (
        "DVTT",
        "Cung cấp dịch vụ trực tuyến",
        22,
        [
            ("DVTT1", "Hồ sơ trực tuyến toàn trình trên hồ sơ của thủ tục đủ điều kiện", 12, 50, "online", "", PORTAL),
            (
                "DVTT2",
                "Thủ tục có phí, lệ phí được cung cấp thanh toán trực tuyến",
                2,
                80,
                "not_measured",
                "Danh mục thủ tục của nền tảng không ghi kênh thanh toán mà từng thủ tục cung cấp.",
                PORTAL,
            ),
            (
                "DVTT3",
                "Thủ tục có phát sinh ít nhất một giao dịch thanh toán trực tuyến",
                2,
                80,
                "not_measured",
                "Các bảng tổng hợp chưa giữ số liệu theo từng thủ tục (chỉ theo cơ quan và lĩnh vực).",
                PORTAL,
            ),
            ("DVTT4", "Hồ sơ thanh toán trực tuyến trên hồ sơ có phí, lệ phí", 6, 80, "paid_online", "", PORTAL),
        ],
    ),
    (
        "MDSH",
        "Mức độ số hóa hồ sơ",
        22,
        [
            ("MDSH1", "Hồ sơ trả kết quả điện tử", 6, 80, "e_result", "", PORTAL),
            ("MDSH2", "Hồ sơ có thành phần được số hóa", 4, 80, "digitised", "", PORTAL),
            (
                "MDSH3",
                "Cấp bản sao điện tử có chứng thực",
                2,
                80,
                "not_measured",
                "Chứng thực bản sao điện tử thực hiện trên hệ thống chứng thực điện tử riêng, nền tảng không thấy.",
                PORTAL,
            ),
            ("MDSH4", "Hồ sơ tái sử dụng dữ liệu đã số hóa", 2, 80, "reused", "", PORTAL),
            (
                "MDSH5",
                "Kết nối, chia sẻ với kho dữ liệu của tổ chức, cá nhân trên Cổng DVC quốc gia",
                4,
                80,
                "not_measured",
                "Kho dữ liệu cá nhân trên Cổng DVC quốc gia không kết nối với nền tảng.",
                PORTAL,
            ),
            (
                "MDSH6",
                "Hồ sơ khai thác Cơ sở dữ liệu quốc gia về dân cư",
                2,
                80,
                "not_measured",
                "Nền tảng chưa kết nối Cơ sở dữ liệu quốc gia về dân cư.",
                PORTAL,
            ),
            (
                "MDSH7",
                "Thủ tục kết nối, khai thác dữ liệu dân cư",
                2,
                80,
                "not_measured",
                "Nền tảng chưa kết nối Cơ sở dữ liệu quốc gia về dân cư.",
                PORTAL,
            ),
        ],
    ),
    (
        "MDHL",
        "Mức độ hài lòng",
        18,
        [
            ("MDHL1", "Phản ánh, kiến nghị xử lý đúng hạn", 6, 90, "feedback_on_time", "", DECISION_TEXT),
            ("MDHL2", "Hài lòng về xử lý phản ánh, kiến nghị", 6, 90, "feedback_satisfaction", "", DECISION_TEXT),
            ("MDHL3", "Hài lòng về tiếp nhận, giải quyết hồ sơ", 6, 90, "dossier_satisfaction", "", DECISION_TEXT),
        ],
    ),
]

PLAN_SOURCE = "Kế hoạch chuyển đổi số của tỉnh (số hiệu văn bản do tỉnh nhập)"
PLAN_TARGETS = [
    ("KH-TT", "Hồ sơ trực tuyến toàn trình trên hồ sơ của thủ tục đủ điều kiện", "online", 80),
    ("KH-KQDT", "Kết quả giải quyết được trả dưới dạng điện tử", "e_result", 100),
    ("KH-PAKN", "Phản ánh, kiến nghị xử lý đúng hạn", "feedback_on_time", 90),
    ("KH-DH", "Hồ sơ giải quyết đúng hạn", "on_time", 95),
]


def load(IndexDecision, IndicatorGroup, Indicator, PlanTarget, year: int | None = None) -> int:
    """Create what is missing (models passed in, so a migration can use its historical ones); returns rows added."""
    added = 0
    decision, created = IndexDecision.objects.get_or_create(
        code=DECISION["code"],
        defaults={k: v for k, v in DECISION.items() if k != "code"},
    )
    added += created
    for order, (gcode, gname, gmax, indicators) in enumerate(GROUPS, start=1):
        group, created = IndicatorGroup.objects.get_or_create(
            decision=decision, code=gcode, defaults={"name": gname, "max_points": gmax, "order": order}
        )
        added += created
        for iorder, (code, name, points, target, formula, reason, source) in enumerate(indicators, start=1):
            _, created = Indicator.objects.get_or_create(
                group=group,
                code=code,
                defaults={
                    "name": name,
                    "points": points,
                    "target": target,
                    "formula": formula,
                    "not_measured_reason": reason,
                    "source": source,
                    "order": iorder,
                },
            )
            added += created
    year = year or dt.date.today().year
    for code, name, measure, target in PLAN_TARGETS:
        _, created = PlanTarget.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "measure": measure,
                "target": target,
                "year": year,
                "source_document": PLAN_SOURCE,
            },
        )
        added += created
    return int(added)
