"""Factories for the feedback tests: agencies, staff with roles, citizens, categories, reports."""

import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from directory.choices import AccountKind, AgencyKind, Role, UnitLevel
from directory.models import AdministrativeUnit, Agency, OrgUnit, StaffPosition, User
from feedback.choices import PUBLIC_STATUSES, ReportStatus
from feedback.models import ApiKey, Category, CategoryAttribute, Report, RoutingRule

PASSWORD = "Mat-khau-2026"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.30.H44")
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Phòng {n}")


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Phường Thử Nghiệm {n}")
    division_type = "phường"
    level = UnitLevel.COMMUNE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    kind = AccountKind.STAFF
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CitizenFactory(UserFactory):
    username = factory.Sequence(lambda n: f"congdan{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    kind = AccountKind.CITIZEN
    cccd = factory.Sequence(lambda n: f"04409{n:07d}")


def staff(role: str, agency: Agency, unit: OrgUnit | None = None, **kwargs) -> User:
    user = UserFactory(**kwargs)
    StaffPosition.objects.create(user=user, agency=agency, unit=unit, role=role)
    return user


def operator(agency: Agency | None = None) -> User:
    return staff(Role.FEEDBACK_OPERATOR, agency or AgencyFactory())


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"CAT{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")
    description = "Mô tả lĩnh vực"
    keywords = "vỉa hè, lấn chiếm"


def category_pair(**child_kwargs) -> tuple[Category, Category]:
    parent = CategoryFactory(name="Trật tự đô thị")
    child = CategoryFactory(parent=parent, name="Lấn chiếm vỉa hè", **child_kwargs)
    return parent, child


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryAttribute

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"ATTR{n}")
    description = "Câu hỏi"


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    target_agency = factory.SubFactory(AgencyFactory)


class ApiKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiKey

    name = "Ứng dụng thử"


class ReportFactory(factory.django.DjangoModelFactory):
    """A report written directly (for reads); state changes in tests go through the services."""

    class Meta:
        model = Report

    category = factory.SubFactory(CategoryFactory)
    description = "Vỉa hè bị lấn chiếm"
    lat = Decimal("17.468900")
    long = Decimal("106.622300")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda o: o.created_at)
    service_request_id = factory.Sequence(lambda n: f"PA-T-{n:06d}")
    status = ReportStatus.RECEIVED
    # Past triage means an official has screened it (as the migration treats existing reports).
    awaiting_screening = factory.LazyAttribute(lambda o: o.status not in PUBLIC_STATUSES)

    class Params:
        routed = factory.Trait(status=ReportStatus.ROUTED, routed_agency=factory.SubFactory(AgencyFactory))


def jpeg_bytes(*, gps: bool = False, size=(64, 48), color=(200, 30, 30)) -> bytes:
    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        exif[0x0132] = "2026:11:20 08:00:00"  # DateTime
        gps_ifd = {1: "N", 2: (17.0, 28.0, 8.0), 3: "E", 4: (106.0, 37.0, 20.0)}
        exif[0x8825] = gps_ifd
        img.save(buf, "JPEG", exif=exif)
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def upload(name="anh.jpg", data: bytes | None = None, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type=content_type)
