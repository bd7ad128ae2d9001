"""Demo data of the directory: Quảng Trị's units, its agency tree and the demo accounts.

Run by `manage.py seed_demo` (first, since every other app's demo uses these agencies and
accounts). Idempotent: everything is looked up by its natural key and created only when missing;
passwords are set only on accounts this run creates.

Agency codes (QCVN 102:2016, written level 4 . level 3 . level 2 . level 1):
- ``000.00.00.H44``  the provincial People's Committee (level 1 = H44, the province).
- ``000.00.NN.H44``  level-2 bodies directly under it: the Public Administration Service Centre
  (NN = 01) and the departments (NN = 11…20).
- ``000.NN.30.H44``  commune People's Committees: level-2 group ``30`` is reserved for the
  commune level, NN numbers the commune within it.
The level-2/level-3 numbers are DEMO VALUES chosen for this platform; a province enters the codes
its authority actually assigned (they are validated with `validate_agency_code`, never derived).
Other apps may import the constants below instead of repeating the codes.
"""

from pathlib import Path

from .choices import AccountKind, AgencyKind, Role
from .models import AdministrativeUnit, Agency, OrgUnit, StaffPosition, User

DEMO_PASSWORD = "demo12345"
DEMO_PROVINCE = 44  # Quảng Trị (merged with Quảng Bình on 1/7/2025)

PROVINCE_AGENCY = "000.00.00.H44"  # UBND tỉnh Quảng Trị
SERVICE_CENTRE = "000.00.01.H44"  # Trung tâm Phục vụ hành chính công tỉnh
DEPT_JUSTICE = "000.00.11.H44"  # Sở Tư pháp
DEPT_CONSTRUCTION = "000.00.12.H44"  # Sở Xây dựng
DEPT_AGRI_ENV = "000.00.13.H44"  # Sở Nông nghiệp và Môi trường
DEPT_FINANCE = "000.00.14.H44"  # Sở Tài chính
DEPT_HOME_AFFAIRS = "000.00.15.H44"  # Sở Nội vụ
DEPT_EDUCATION = "000.00.16.H44"  # Sở Giáo dục và Đào tạo
DEPT_HEALTH = "000.00.17.H44"  # Sở Y tế
DEPT_CULTURE = "000.00.18.H44"  # Sở Văn hóa, Thể thao và Du lịch
DEPT_INDUSTRY = "000.00.19.H44"  # Sở Công Thương
DEPT_SCIENCE = "000.00.20.H44"  # Sở Khoa học và Công nghệ
# Công an tỉnh: not a department of the provincial committee (it belongs to the Ministry of Public
# Security), but since 1/3/2025 it decides procedures of the province's one-stop system: driving
# licences (Thông tư 12/2025/TT-BCA) and judicial-record certificates (handed over by Sở Tư pháp).
POLICE = "000.00.21.H44"  # Công an tỉnh Quảng Trị (demo code)
WARD_DONG_HOI = "000.01.30.H44"  # UBND phường Đồng Hới
WARD_DONG_HA = "000.02.30.H44"  # UBND phường Đông Hà
COMMUNE_VINH_LINH = "000.03.30.H44"  # UBND xã Vĩnh Linh
WARD_BA_DON = "000.04.30.H44"  # UBND phường Ba Đồn
WARD_QUANG_TRI = "000.05.30.H44"  # UBND phường Quảng Trị
COMMUNE_KHE_SANH = "000.06.30.H44"  # UBND xã Khe Sanh
ZONE_CON_CO = "000.07.30.H44"  # UBND đặc khu Cồn Cỏ
COMMUNE_LE_THUY = "000.08.30.H44"  # UBND xã Lệ Thủy

DEPARTMENTS = [
    # code, name, short name, internal units (besides the one-stop desk)
    (DEPT_JUSTICE, "Sở Tư pháp", "STP", ["Văn phòng Sở", "Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp"]),
    (DEPT_CONSTRUCTION, "Sở Xây dựng", "SXD", ["Văn phòng Sở", "Phòng Quản lý xây dựng"]),
    (DEPT_AGRI_ENV, "Sở Nông nghiệp và Môi trường", "SNNMT", ["Văn phòng Sở", "Phòng Quản lý đất đai"]),
    (DEPT_FINANCE, "Sở Tài chính", "STC", ["Văn phòng Sở", "Phòng Đăng ký kinh doanh"]),
    (DEPT_HOME_AFFAIRS, "Sở Nội vụ", "SNV", ["Văn phòng Sở", "Phòng Lao động – Việc làm"]),
    (DEPT_EDUCATION, "Sở Giáo dục và Đào tạo", "SGDĐT", ["Văn phòng Sở", "Phòng Quản lý chất lượng"]),
    (DEPT_HEALTH, "Sở Y tế", "SYT", ["Văn phòng Sở", "Phòng Nghiệp vụ Y"]),
    (DEPT_CULTURE, "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", ["Văn phòng Sở", "Phòng Quản lý văn hóa"]),
    (DEPT_INDUSTRY, "Sở Công Thương", "SCT", ["Văn phòng Sở", "Phòng Quản lý thương mại"]),
    (DEPT_SCIENCE, "Sở Khoa học và Công nghệ", "SKHCN", ["Văn phòng Sở", "Phòng Chuyển đổi số"]),
]

# code, commune/ward name exactly as in vietnam-provinces (province 44), short name
COMMUNES = [
    (WARD_DONG_HOI, "Phường Đồng Hới", "UBND"),
    (WARD_DONG_HA, "Phường Đông Hà", "UBND"),
    (COMMUNE_VINH_LINH, "Xã Vĩnh Linh", "UBND"),
    (WARD_BA_DON, "Phường Ba Đồn", "UBND"),
    (WARD_QUANG_TRI, "Phường Quảng Trị", "UBND"),
    (COMMUNE_KHE_SANH, "Xã Khe Sanh", "UBND"),
    (ZONE_CON_CO, "Đặc khu Cồn Cỏ", "UBND"),
    (COMMUNE_LE_THUY, "Xã Lệ Thủy", "UBND"),
]
COMMUNE_UNITS = ["Công chức Văn phòng – Thống kê", "Công chức Tư pháp – Hộ tịch", "Công chức Địa chính – Xây dựng"]

ONE_STOP = "Bộ phận Một cửa"
POLICE_TRAFFIC = "Phòng Cảnh sát giao thông"
POLICE_RECORDS = "Phòng Hồ sơ nghiệp vụ"
POLICE_UNITS = [POLICE_TRAFFIC, POLICE_RECORDS]
HISTORY_CSV = Path(__file__).resolve().parent / "data" / "quang_tri_units_before_2025.csv"


def _agency(code, name, short_name, kind, parent=None, unit=None, address="", email="") -> Agency:
    agency, _ = Agency.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "parent": parent,
            "administrative_unit": unit,
            "address": address,
            "email": email,
        },
    )
    return agency


def _units(agency: Agency, names: list[str], one_stop: bool = True) -> dict[str, OrgUnit]:
    units = {}
    if one_stop:
        units[ONE_STOP], _ = OrgUnit.objects.get_or_create(
            agency=agency, name=ONE_STOP, defaults={"is_one_stop_desk": True}
        )
    for name in names:
        units[name], _ = OrgUnit.objects.get_or_create(agency=agency, name=name)
    return units


def load_agencies() -> dict[str, Agency]:
    province_unit = AdministrativeUnit.objects.get(code=str(DEMO_PROVINCE), level="province")
    seat = "Phường Đồng Hới, tỉnh Quảng Trị"
    agencies: dict[str, Agency] = {}
    root = _agency(
        PROVINCE_AGENCY,
        "Ủy ban nhân dân tỉnh Quảng Trị",
        "UBND",
        AgencyKind.PROVINCIAL_COMMITTEE,
        unit=province_unit,
        address=seat,
        email="ubnd@quangtri.example.vn",
    )
    agencies[PROVINCE_AGENCY] = root
    _units(root, ["Văn phòng UBND tỉnh"], one_stop=False)
    centre = _agency(
        SERVICE_CENTRE,
        "Trung tâm Phục vụ hành chính công tỉnh Quảng Trị",
        "TTPVHCC",
        AgencyKind.SERVICE_CENTRE,
        parent=root,
        unit=province_unit,
        address=seat,
        email="ttpvhcc@quangtri.example.vn",
    )
    agencies[SERVICE_CENTRE] = centre
    _units(centre, ["Phòng Tiếp nhận và Trả kết quả"])
    for code, name, short, unit_names in DEPARTMENTS:
        dept = _agency(
            code,
            name,
            short,
            AgencyKind.DEPARTMENT,
            parent=root,
            unit=province_unit,
            address=seat,
            email=f"{short.lower().replace('đ', 'd')}@quangtri.example.vn",
        )
        _units(dept, unit_names)
        agencies[code] = dept
    police = _agency(
        POLICE,
        "Công an tỉnh Quảng Trị",
        "CAT",
        AgencyKind.OTHER,
        unit=province_unit,
        address=seat,
        email="congan@quangtri.example.vn",
    )
    _units(police, POLICE_UNITS)
    agencies[POLICE] = police
    for code, unit_name, short in COMMUNES:
        unit = AdministrativeUnit.objects.get(parent=province_unit, name=unit_name, valid_to__isnull=True)
        name = "Ủy ban nhân dân " + unit_name[0].lower() + unit_name[1:]
        commune = _agency(
            code,
            name,
            short,
            AgencyKind.COMMUNE_COMMITTEE,
            parent=root,
            unit=unit,
            address=f"{unit_name}, tỉnh Quảng Trị",
        )
        _units(commune, COMMUNE_UNITS)
        agencies[code] = commune
    return agencies


def _account(username: str, *, kind: str, full_name: str, email: str = "", created: list, **extra) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, kind=kind, full_name=full_name, email=email, **extra)
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        created.append(username)
    return user


def _position(
    user: User, agency: Agency, role: str, unit_name: str | None = None, title: str = "", signing: tuple = ()
) -> None:
    unit = OrgUnit.objects.get(agency=agency, name=unit_name) if unit_name else None
    position, _created = StaffPosition.objects.get_or_create(
        user=user, agency=agency, unit=unit, role=role, defaults={"title": title}
    )
    if signing and not position.signing_right:
        # (signing right, signed for, collective): the signer block of Nghị định 30/2020, Phụ lục I
        position.signing_right, position.signing_for, position.signing_collective = signing
        position.full_clean()
        position.save(update_fields=["signing_right", "signing_for", "signing_collective"])


# The demo leaders who sign results: "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" for the Department of Justice,
# "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" for the ward's People's Committee.
SIGNING = {
    "lanhdao.stp": ("KT.", "Giám đốc", ""),
    "lanhdao.donghoi": ("KT.", "Chủ tịch", "Ủy ban nhân dân"),
}


# username, full name, description, [(agency code, role, unit name, title)]
STAFF = [
    (
        "motcua.stp",
        "Nguyễn Thị Lan",
        # Sở Tư pháp's dossiers are received at the provincial centre (Nghị định 118/2025/NĐ-CP): its desk
        # officer works at the centre's one-stop desk.
        "Cán bộ một cửa tiếp nhận hồ sơ Sở Tư pháp – Trung tâm Phục vụ hành chính công tỉnh",
        [(SERVICE_CENTRE, Role.ONE_STOP_OFFICER, ONE_STOP, "Chuyên viên")],
    ),
    (
        "chuyenvien.stp",
        "Trần Văn Hùng",
        "Chuyên viên xử lý – Phòng Hành chính tư pháp, Sở Tư pháp",
        [(DEPT_JUSTICE, Role.SPECIALIST, "Phòng Hành chính tư pháp", "Chuyên viên")],
    ),
    (
        "truongphong.stp",
        "Lê Thị Hoa",
        "Trưởng phòng Hành chính tư pháp – Sở Tư pháp",
        [(DEPT_JUSTICE, Role.UNIT_LEADER, "Phòng Hành chính tư pháp", "Trưởng phòng")],
    ),
    (
        "lanhdao.stp",
        "Phạm Quốc Bảo",
        "Lãnh đạo Sở Tư pháp (ký kết quả)",
        [(DEPT_JUSTICE, Role.AGENCY_LEADER, None, "Phó Giám đốc")],
    ),
    (
        "vanthu.stp",
        "Hoàng Thị Mai",
        "Văn thư – Văn phòng Sở Tư pháp",
        [(DEPT_JUSTICE, Role.DOCUMENT_CLERK, "Văn phòng Sở", "Văn thư")],
    ),
    (
        "motcua.donghoi",
        "Võ Thị Thu",
        "Cán bộ một cửa – UBND phường Đồng Hới",
        [(WARD_DONG_HOI, Role.ONE_STOP_OFFICER, ONE_STOP, "Công chức")],
    ),
    (
        "chuyenvien.donghoi",
        "Đặng Văn Nam",
        "Công chức Tư pháp – Hộ tịch – UBND phường Đồng Hới",
        [(WARD_DONG_HOI, Role.SPECIALIST, "Công chức Tư pháp – Hộ tịch", "Công chức")],
    ),
    (
        "truongbophan.donghoi",
        "Bùi Thị Hạnh",
        "Phụ trách bộ phận Tư pháp – Hộ tịch – UBND phường Đồng Hới",
        [(WARD_DONG_HOI, Role.UNIT_LEADER, "Công chức Tư pháp – Hộ tịch", "Phụ trách bộ phận")],
    ),
    (
        "lanhdao.donghoi",
        "Ngô Minh Tuấn",
        "Lãnh đạo UBND phường Đồng Hới (ký kết quả)",
        [(WARD_DONG_HOI, Role.AGENCY_LEADER, None, "Phó Chủ tịch")],
    ),
    (
        "vanthu.donghoi",
        "Trịnh Thị Nga",
        "Văn thư – UBND phường Đồng Hới (cấp số, ban hành, gửi văn bản đi; vào sổ văn bản đến)",
        [(WARD_DONG_HOI, Role.DOCUMENT_CLERK, "Công chức Văn phòng – Thống kê", "Văn thư")],
    ),
    (
        "phananh.tinh",
        "Đỗ Thị Ngọc",
        "Cán bộ tiếp nhận phản ánh hiện trường – cấp tỉnh",
        [(PROVINCE_AGENCY, Role.FEEDBACK_OPERATOR, "Văn phòng UBND tỉnh", "Chuyên viên")],
    ),
    (
        "xulyphananh.donghoi",
        "Lý Văn Phúc",
        "Xử lý phản ánh – Công chức Địa chính – Xây dựng, phường Đồng Hới",
        [(WARD_DONG_HOI, Role.SPECIALIST, "Công chức Địa chính – Xây dựng", "Công chức")],
    ),
    (
        "motcua.ttpvhcc",
        "Trương Thị Yến",
        "Cán bộ một cửa – Trung tâm Phục vụ hành chính công tỉnh",
        [(SERVICE_CENTRE, Role.ONE_STOP_OFFICER, ONE_STOP, "Chuyên viên")],
    ),
    (
        "ioc",
        "Phan Văn Long",
        "Xem Trung tâm điều hành (IOC) – UBND tỉnh",
        [(PROVINCE_AGENCY, Role.IOC_VIEWER, None, "Chuyên viên")],
    ),
]

# The provincial police's desk and the officers deciding judicial-record certificates and driving licences
POLICE_STAFF = [
    (
        "motcua.congan",
        "Hồ Thị Nhung",
        "Cán bộ một cửa – Công an tỉnh, ngồi tại quầy của Trung tâm Phục vụ hành chính công tỉnh",
        [
            (SERVICE_CENTRE, Role.ONE_STOP_OFFICER, ONE_STOP, "Cán bộ"),
            (POLICE, Role.ONE_STOP_OFFICER, ONE_STOP, "Cán bộ"),
        ],
    ),
    (
        "canbo.congan",
        "Trần Đức Thắng",
        "Cán bộ xử lý – Phòng Hồ sơ nghiệp vụ và Phòng Cảnh sát giao thông, Công an tỉnh",
        [
            (POLICE, Role.SPECIALIST, POLICE_RECORDS, "Cán bộ"),
            (POLICE, Role.SPECIALIST, POLICE_TRAFFIC, "Cán bộ"),
        ],
    ),
    (
        "truongphong.congan",
        "Nguyễn Văn Sơn",
        "Trưởng phòng – Phòng Hồ sơ nghiệp vụ và Phòng Cảnh sát giao thông, Công an tỉnh",
        [
            (POLICE, Role.UNIT_LEADER, POLICE_RECORDS, "Trưởng phòng"),
            (POLICE, Role.UNIT_LEADER, POLICE_TRAFFIC, "Trưởng phòng"),
        ],
    ),
    (
        "lanhdao.congan",
        "Lê Quang Vinh",
        "Lãnh đạo Công an tỉnh (ký kết quả)",
        [(POLICE, Role.AGENCY_LEADER, None, "Phó Giám đốc")],
    ),
]

CITIZENS = [
    ("congdan1", "Nguyễn Văn An", "044090001234", "0912000001", "Công dân (CCCD 044090001234)"),
    ("congdan2", "Trần Thị Bình", "044195012345", "0912000002", "Công dân (CCCD 044195012345)"),
]
BUSINESSES = [
    (
        "doanhnghiep1",
        "Công ty TNHH Dịch vụ Số Quảng Trị (dữ liệu mẫu)",
        "3200123452",
        "0912000003",
        "Doanh nghiệp (MST 3200123452)",
    ),
]


def load_accounts(agencies: dict[str, Agency], created: list[str] | None = None) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; `created` collects the usernames made by this run."""
    created = [] if created is None else created
    accounts = []
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser(
            "admin", "admin@quangtri.example.vn", DEMO_PASSWORD, kind=AccountKind.STAFF, full_name="Quản trị hệ thống"
        )
        created.append("admin")
    _position(admin, agencies[PROVINCE_AGENCY], Role.ADMINISTRATOR, title="Quản trị hệ thống")
    accounts.append(("admin", DEMO_PASSWORD, "Quản trị hệ thống (superuser)"))
    for username, full_name, description, positions in STAFF + POLICE_STAFF:
        user = _account(
            username,
            kind=AccountKind.STAFF,
            full_name=full_name,
            email=f"{username}@quangtri.example.vn",
            created=created,
        )
        for code, role, unit_name, title in positions:
            signing = SIGNING.get(username, ()) if role == Role.AGENCY_LEADER else ()
            _position(user, agencies[code], role, unit_name, title, signing)
        accounts.append((username, DEMO_PASSWORD, description))
    for username, full_name, cccd, phone, description in CITIZENS:
        _account(
            username,
            kind=AccountKind.CITIZEN,
            full_name=full_name,
            cccd=cccd,
            phone=phone,
            email=f"{username}@example.vn",
            created=created,
        )
        accounts.append((username, DEMO_PASSWORD, description))
    for username, org_name, mst, phone, description in BUSINESSES:
        _account(
            username,
            kind=AccountKind.BUSINESS,
            full_name="Lê Văn Cường",
            organization_name=org_name,
            tax_code=mst,
            phone=phone,
            email=f"{username}@example.vn",
            created=created,
        )
        accounts.append((username, DEMO_PASSWORD, description))
    return accounts


def load_units() -> None:
    from . import services
    from .history import read_history_csv

    services.units_load(actor=None, province_codes=[DEMO_PROVINCE])
    services.unit_history_import(actor=None, rows=read_history_csv(HISTORY_CSV), source=HISTORY_CSV.name)


def load(stdout) -> list[tuple[str, str, str]]:
    load_units()
    stdout.write(
        f"  danh bạ: {AdministrativeUnit.objects.filter(valid_to__isnull=True).count()} đơn vị hành chính "
        f"hiện hành, {AdministrativeUnit.objects.filter(valid_to__isnull=False).count()} đơn vị cũ"
    )
    agencies = load_agencies()
    stdout.write(f"  danh bạ: {Agency.objects.count()} cơ quan, {OrgUnit.objects.count()} đơn vị trực thuộc")
    created: list[str] = []
    accounts = load_accounts(agencies, created)
    stdout.write(f"  danh bạ: {len(accounts)} tài khoản mẫu ({len(created)} tạo mới)")
    return accounts
