"""Demo data of the feedback portal: two-level categories, routing rules, reports, an Open311 key.

Run by `manage.py seed_demo` after directory/core/catalog. Idempotent: categories and rules are
looked up by natural key; demo reports are created only when none exists yet.
"""

from directory.models import AdministrativeUnit, Agency, OrgUnit, User

from . import services
from .models import ApiKey, Category, CategoryAttribute, Report, RoutingRule

# code, name, handling days, keywords, children [(code, name, days, keywords, description)]
CATEGORIES = [
    (
        "TTDT",
        "Trật tự đô thị",
        None,
        "đô thị",
        [
            (
                "TTDT-VIAHE",
                "Lấn chiếm vỉa hè, lòng đường",
                5,
                "vỉa hè, lòng đường, buôn bán, đậu xe",
                "Buôn bán, để xe, dựng lều quán trên vỉa hè, lòng đường.",
            ),
            (
                "TTDT-XDTP",
                "Xây dựng trái phép, sai phép",
                10,
                "xây dựng, sai phép, cơi nới",
                "Công trình xây dựng không phép, sai giấy phép, cơi nới lấn chiếm.",
            ),
            (
                "TTDT-QC",
                "Quảng cáo rao vặt sai quy định",
                5,
                "quảng cáo, rao vặt, băng rôn",
                "Dán, treo quảng cáo trái phép.",
            ),
        ],
    ),
    (
        "MT",
        "Môi trường",
        None,
        "môi trường",
        [
            ("MT-RAC", "Rác thải, vệ sinh môi trường", 3, "rác, xả rác, thu gom", "Rác tồn đọng, đổ trộm phế thải."),
            (
                "MT-NUOC",
                "Ô nhiễm nguồn nước",
                10,
                "nước thải, sông, kênh, mương",
                "Xả nước thải, ô nhiễm sông hồ, kênh mương.",
            ),
            (
                "MT-KHOI",
                "Ô nhiễm không khí, tiếng ồn",
                10,
                "khói, bụi, tiếng ồn, mùi",
                "Khói bụi, mùi hôi, tiếng ồn kéo dài.",
            ),
        ],
    ),
    (
        "GT",
        "Giao thông",
        None,
        "giao thông",
        [
            (
                "GT-DUONG",
                "Hư hỏng mặt đường, cầu cống",
                7,
                "ổ gà, sụt lún, cầu, cống",
                "Ổ gà, sụt lún, nứt vỡ mặt đường, cầu cống.",
            ),
            (
                "GT-DEN",
                "Đèn tín hiệu, biển báo giao thông",
                3,
                "đèn giao thông, biển báo",
                "Đèn tín hiệu hỏng, biển báo mất, che khuất.",
            ),
        ],
    ),
    (
        "HT",
        "Hạ tầng đô thị",
        None,
        "hạ tầng",
        [
            (
                "HT-DIEN",
                "Điện chiếu sáng công cộng",
                3,
                "đèn đường, chiếu sáng",
                "Đèn đường không sáng, cột điện nguy hiểm.",
            ),
            (
                "HT-NUOC",
                "Cấp, thoát nước, ngập úng",
                5,
                "ngập, cống, nắp hố ga, cấp nước",
                "Ngập úng, tắc cống, mất nắp hố ga.",
            ),
            ("HT-CAY", "Cây xanh", 5, "cây đổ, cây gãy, cắt tỉa", "Cây gãy đổ, có nguy cơ đổ."),
        ],
    ),
    ("ANTT", "An ninh trật tự", 15, "an ninh, trật tự, gây rối", []),
    (
        "CB",
        "Thái độ, tác phong cán bộ",
        15,
        "cán bộ, nhũng nhiễu, thái độ",
        [
            (
                "CB-TD",
                "Thái độ phục vụ của cán bộ, công chức",
                15,
                "thái độ, nhũng nhiễu, gây khó khăn",
                "Cán bộ, công chức có thái độ, hành vi không đúng mực khi giải quyết công việc.",
            ),
        ],
    ),
]

WARD_DONG_HOI, WARD_DONG_HA = "000.01.30.H44", "000.02.30.H44"
DEPT_CONSTRUCTION, DEPT_AGRI_ENV, DEPT_HOME_AFFAIRS = "000.00.12.H44", "000.00.13.H44", "000.00.15.H44"

# order, category code (None = any), commune name (None = any), agency code, unit name
RULES = [
    (10, "TTDT", "Phường Đồng Hới", WARD_DONG_HOI, "Công chức Địa chính – Xây dựng"),
    (11, "TTDT", "Phường Đông Hà", WARD_DONG_HA, "Công chức Địa chính – Xây dựng"),
    (20, "MT-RAC", "Phường Đồng Hới", WARD_DONG_HOI, "Công chức Địa chính – Xây dựng"),
    (30, "MT", None, DEPT_AGRI_ENV, None),
    (40, "GT", None, DEPT_CONSTRUCTION, None),
    (50, "HT", None, DEPT_CONSTRUCTION, None),
    (60, "CB", None, DEPT_HOME_AFFAIRS, None),
]

DONG_HOI = (17.468900, 106.622300)
DONG_HA = (16.816300, 107.100300)


def _categories() -> None:
    for order, (code, name, days, keywords, children) in enumerate(CATEGORIES):
        parent, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "handling_days": days, "keywords": keywords, "order": order * 10}
        )
        for child_order, (c_code, c_name, c_days, c_keywords, description) in enumerate(children):
            Category.objects.get_or_create(
                code=c_code,
                defaults={
                    "parent": parent,
                    "name": c_name,
                    "handling_days": c_days,
                    "keywords": c_keywords,
                    "description": description,
                    "order": child_order,
                },
            )
    vh = Category.objects.get(code="TTDT-VIAHE")
    CategoryAttribute.objects.get_or_create(
        category=vh,
        code="LOAI",
        defaults={
            "datatype": "singlevaluelist",
            "required": False,
            "order": 1,
            "description": "Hình thức lấn chiếm",
            "values": [
                {"key": "hang-quan", "name": "Hàng quán, buôn bán"},
                {"key": "dau-xe", "name": "Đậu, để xe"},
                {"key": "vat-lieu", "name": "Vật liệu xây dựng"},
            ],
        },
    )
    road = Category.objects.get(code="GT-DUONG")
    CategoryAttribute.objects.get_or_create(
        category=road,
        code="KICH_THUOC",
        defaults={
            "datatype": "number",
            "required": False,
            "order": 1,
            "description": "Đường kính ổ gà (cm), nếu có",
            "datatype_description": "Số nguyên, ví dụ 40",
        },
    )


def _commune(name):
    return AdministrativeUnit.objects.filter(name=name, valid_to__isnull=True).first() if name else None


def _rules(stdout) -> None:
    for order, cat_code, commune_name, agency_code, unit_name in RULES:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            stdout.write(f"  feedback: bỏ qua quy tắc {order}: chưa có cơ quan {agency_code}")
            continue
        commune = _commune(commune_name)
        if commune_name and commune is None:
            continue
        unit = OrgUnit.objects.filter(agency=agency, name=unit_name).first() if unit_name else None
        RoutingRule.objects.get_or_create(
            order=order,
            defaults={
                "category": Category.objects.get(code=cat_code) if cat_code else None,
                "commune": commune,
                "target_agency": agency,
                "target_unit": unit,
            },
        )


def _reports(stdout) -> None:
    if Report.objects.exists():
        return
    operator = User.objects.filter(username="phananh.tinh").first()
    specialist = User.objects.filter(username="xulyphananh.donghoi").first()
    leader = User.objects.filter(username="lanhdao.donghoi").first()
    citizen = User.objects.filter(username="congdan1").first()
    dong_hoi, dong_ha = _commune("Phường Đồng Hới"), _commune("Phường Đông Hà")

    def submit(code, text, where, commune, actor=None, **kw):
        return services.report_submit(
            actor=actor,
            category=Category.objects.get(code=code),
            description=text,
            lat=f"{where[0]:.6f}",
            long=f"{where[1]:.6f}",
            commune=commune,
            contact_name=kw.pop("contact_name", "Người dân"),
            **kw,
        )

    # 1. Published with a rating (Đồng Hới, routed by rule to the ward)
    r1 = submit(
        "TTDT-VIAHE",
        "Quán cà phê bày bàn ghế kín vỉa hè đường Quang Trung, người đi bộ phải xuống lòng đường.",
        (DONG_HOI[0] + 0.0012, DONG_HOI[1] - 0.0008),
        dong_hoi,
        actor=citizen,
        address="Đường Quang Trung",
        attributes={"LOAI": "hang-quan"},
    )
    if specialist and leader and citizen and r1.routed_agency_id:
        services.report_start(actor=specialist, report=r1)
        services.report_resolve(
            actor=specialist,
            report=r1,
            resolution="Tổ trật tự phường đã kiểm tra, yêu cầu chủ quán thu dọn và lập biên bản "
            "nhắc nhở. Vỉa hè đã thông thoáng.",
        )
        services.report_approve(actor=leader, report=r1)
        services.report_rate(actor=citizen, report=r1, rating=5, comment="Xử lý nhanh.")
    # 2. In progress, info requested (Đồng Hới)
    r2 = submit(
        "MT-RAC",
        "Rác thải sinh hoạt tồn đọng nhiều ngày ở đầu kiệt 12 Lý Thường Kiệt, bốc mùi.",
        (DONG_HOI[0] - 0.0021, DONG_HOI[1] + 0.0015),
        dong_hoi,
        contact_email="nguoidan@example.vn",
        address="Kiệt 12 Lý Thường Kiệt",
    )
    if specialist and r2.routed_agency_id:
        services.report_start(actor=specialist, report=r2)
        services.report_request_info(
            actor=specialist, report=r2, question="Đề nghị cho biết khung giờ rác thường bị đổ."
        )
    # 2b. Routed to the ward, not started yet (in xulyphananh.donghoi's queue)
    submit(
        "MT-RAC",
        "Điểm tập kết rác tạm ở chân cầu Dài chưa được thu gom từ cuối tuần.",
        (DONG_HOI[0] + 0.0034, DONG_HOI[1] + 0.0041),
        dong_hoi,
        actor=citizen,
        address="Chân cầu Dài",
    )
    # 2c. Resolved by the ward's officer, waiting for the leader's approval (lanhdao.donghoi)
    r6 = submit(
        "TTDT-XDTP",
        "Nhà dân cơi nới mái tôn lấn ra vỉa hè đường Trần Hưng Đạo.",
        (DONG_HOI[0] - 0.0042, DONG_HOI[1] - 0.0019),
        dong_hoi,
        address="Đường Trần Hưng Đạo",
    )
    if specialist and r6.routed_agency_id:
        services.report_start(actor=specialist, report=r6)
        services.report_resolve(
            actor=specialist,
            report=r6,
            resolution="Đã kiểm tra hiện trường, lập biên bản và yêu cầu chủ nhà tự tháo dỡ phần mái lấn chiếm "
            "trong 7 ngày.",
        )
    # 3. Received, waiting for triage (Đông Hà) and a near-duplicate of it
    submit(
        "ANTT",
        "Nhóm thanh niên tụ tập đua xe gây ồn ào sau 23 giờ trên đường Lê Duẩn.",
        DONG_HA,
        dong_ha,
        address="Đường Lê Duẩn",
    )
    submit(
        "ANTT",
        "Đua xe trái phép đêm qua đường Lê Duẩn, đoạn gần cầu.",
        (DONG_HA[0] + 0.0005, DONG_HA[1]),
        dong_ha,
        address="Đường Lê Duẩn",
    )
    # 4. Routed by rule to the Department of Construction (road damage in Đông Hà)
    submit(
        "GT-DUONG",
        "Ổ gà lớn giữa đường Hùng Vương, đã có người đi xe máy bị ngã.",
        (DONG_HA[0] - 0.0030, DONG_HA[1] + 0.0020),
        dong_ha,
        address="Đường Hùng Vương",
        attributes={"KICH_THUOC": "60"},
    )
    # 5. Rejected as out of scope
    r5 = submit("CB-TD", "Tranh chấp ranh giới đất với hàng xóm, đề nghị phân xử.", DONG_HOI, dong_hoi)
    if operator:
        services.report_reject(
            actor=operator,
            report=r5,
            reason="out_of_scope",
            note="Tranh chấp dân sự: đề nghị liên hệ UBND phường để hòa giải hoặc Tòa án.",
        )
    stdout.write(f"  feedback: {Report.objects.count()} phản ánh mẫu")


def load(stdout) -> list[tuple[str, str, str]]:
    _categories()
    _rules(stdout)
    _reports(stdout)
    key = ApiKey.objects.filter(name="Ứng dụng mẫu Open311").first()
    if key is None:
        key = ApiKey.objects.create(name="Ứng dụng mẫu Open311", owner="Trung tâm IOC (dữ liệu mẫu)")
    return [("open311", key.key, "Khóa API Open311 mẫu")]
