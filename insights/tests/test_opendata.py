"""Open data: the datasets' exports (CSV/JSON/XLSX) hold no personal data, the registry of builders, the
public pages, the DCAT catalogue (the same triples in JSON-LD and RDF/XML)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from defusedxml import ElementTree as SafeET
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from directory.choices import AgencyKind, Role, UnitLevel
from directory.models import AdministrativeUnit, Agency, StaffPosition, User
from dossiers.tests import factories as df
from feedback.tests.factories import CategoryFactory, ReportFactory
from insights import opendata
from insights.models import Dataset
from insights.opendata_services import dataset_save

pytestmark = pytest.mark.django_db

# A citizen's data in the fixture: none of it may appear in any export.
PERSONAL = [
    "Nguyễn Văn An",
    "044090000123",
    "0912345678",
    "12 Lý Thường Kiệt",
    "Lê Thị Phản Ánh",
    "0987000111",
    "7 Hùng Vương",
]


@pytest.fixture
def world(settings, tmp_path):
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    w = df.make_world()
    province = Agency.objects.create(
        code="000.00.00.H44", name="UBND tỉnh Quảng Trị", kind=AgencyKind.PROVINCIAL_COMMITTEE
    )
    unit = AdministrativeUnit.objects.create(
        code="44", name="Quảng Trị", division_type="tỉnh", level=UnitLevel.PROVINCE
    )
    AdministrativeUnit.objects.create(
        code="19000", name="Phường Đồng Hới", division_type="phường", level=UnitLevel.COMMUNE, parent=unit
    )
    w.citizen.address = "12 Lý Thường Kiệt, Đồng Hới"
    w.citizen.save()
    done = df.processed_dossier(w)
    df.processing_dossier(w)
    ReportFactory(
        category=CategoryFactory(),
        routed_agency=w.justice,
        status="routed",
        routed_at=timezone.now(),
        contact_name="Lê Thị Phản Ánh",
        contact_phone="0987000111",
        address="7 Hùng Vương, Đồng Hới",
    )
    for code, builder in (
        ("thu-tuc-hanh-chinh", "procedures"),
        ("so-lieu-ho-so", "dossier_figures"),
        ("so-lieu-phan-anh", "feedback_figures"),
        ("co-quan", "agencies"),
        ("don-vi-hanh-chinh", "administrative_units"),
        ("chi-so-766", "index_766"),
    ):
        Dataset.objects.create(
            name=code, title=f"Bộ dữ liệu {code}", builder=builder, publisher=province, tags="hành chính, số liệu"
        )
    Dataset.objects.create(
        name="an-di", title="Chưa công bố", builder="agencies", publisher=province, is_published=False
    )
    admin = User.objects.create_user(username="quantri", kind="staff")
    StaffPosition.objects.create(user=admin, agency=province, role=Role.ADMINISTRATOR)
    return {"w": w, "province": province, "done": done, "admin": admin}


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_no_export_holds_personal_data(client, world):
    """Every dataset, every format, through the public download: the citizen's and the reporter's name, ID number,
    phone and address are nowhere (the exports still hold the agencies and the counts)."""
    seen = ""
    for dataset in Dataset.objects.filter(is_published=True):
        for fmt in opendata.FORMATS:
            response = client.get(reverse("opendata:download", args=[dataset.name, fmt]))
            assert response.status_code == 200, (dataset.name, fmt)
            text = _xlsx_text(response.content) if fmt == "xlsx" else response.content.decode("utf-8")
            for value in PERSONAL:
                assert value not in text, (dataset.name, fmt, value)
            seen += text
    for action in ("package_search", "organization_list", "tag_list"):
        text = client.get(reverse("ckan:action", args=[action]) + "?all_fields=true&rows=100").content.decode("utf-8")
        assert not any(value in text for value in PERSONAL)
    for fmt in ("rdf", "jsonld"):
        text = client.get(reverse("opendata:catalog", args=[fmt])).content.decode("utf-8")
        assert not any(value in text for value in PERSONAL)
    assert "Sở Tư pháp" in seen and "1.000001.000.00.00.H44" in seen and "Phường Đồng Hới" in seen


def test_dossier_and_feedback_figures(world):
    """The figures count the fixture: one dossier received and finished on time plus one received for Sở Tư pháp,
    one report routed to it."""
    rows = list(opendata.BUILDERS["dossier_figures"].table())
    justice = [r for r in rows if r[1] == world["w"].justice.code]
    assert sum(r[3] for r in justice) == 2  # received
    assert sum(r[5] for r in justice) == 1  # finished
    assert sum(r[6] for r in justice) == 1  # on time
    feedback = [r for r in opendata.BUILDERS["feedback_figures"].table() if r[1] == world["w"].justice.code]
    assert sum(r[3] for r in feedback) == 1


def test_csv_json_xlsx_agree(client, world):
    url = lambda fmt: reverse("opendata:download", args=["co-quan", fmt])  # noqa: E731
    rows = list(csv.reader(io.StringIO(client.get(url("csv")).content.decode("utf-8-sig"))))
    records = json.loads(client.get(url("json")).content)
    assert rows[0] == [c.key for c in opendata.BUILDERS["agencies"].columns]
    assert [r[0] for r in rows[1:]] == [r["code"] for r in records]
    assert "000.00.12.H44" in [r["code"] for r in records]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(url("xlsx")).content)).active
    assert [c.value for c in sheet[1]][0] == "Mã định danh (QCVN 102)"
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(records))] == [r["code"] for r in records]


def test_766_dataset_downloads_the_index_rows(client, world):
    """The 766 dataset is listed with its declared columns and its rows come from the index's builder
    (insights/index_dataset.py; their figures are tested against the scorecard in test_scorecard.py)."""
    builder = opendata.BUILDERS["index_766"]
    assert builder.rows is not None  # registered by the index when the app is ready
    text = client.get(reverse("opendata:download", args=["chi-so-766", "csv"])).content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("period,scope,scope_code")
    rows = json.loads(client.get(reverse("opendata:download", args=["chi-so-766", "json"])).content)
    assert rows and {tuple(r) for r in rows} == {tuple(c.key for c in opendata.INDEX_766_COLUMNS)}
    assert {r["scope"] for r in rows} >= {"tỉnh"}
    with pytest.raises(ValueError, match="registered twice"):
        opendata.register("index_766", builder.title, opendata.INDEX_766_COLUMNS)(lambda: iter([]))


def test_a_builder_with_a_personal_column_is_refused():
    with pytest.raises(ValueError):
        opendata.register("bad", "Sai", [opendata.Column("applicant_phone", "Điện thoại")])
    assert "bad" not in opendata.BUILDERS


def test_pages_and_unpublished(client, world):
    assert "Bộ dữ liệu co-quan" in client.get(reverse("opendata:index")).content.decode()
    page = client.get(reverse("opendata:detail", args=["co-quan"])).content.decode()
    assert "Creative Commons" in page and "Hằng tháng" in page
    assert client.get(reverse("opendata:detail", args=["an-di"])).status_code == 404
    assert client.get(reverse("opendata:download", args=["an-di", "csv"])).status_code == 404
    assert client.get(reverse("opendata:download", args=["co-quan", "pdf"])).status_code == 404


def test_dataset_save_is_the_provinces(world):
    w = world["w"]
    dataset = Dataset(name="moi", title="Mới", builder="agencies", publisher=world["province"])
    with pytest.raises(PermissionDenied):
        dataset_save(actor=w.leader, dataset=dataset, created=True)
    assert not Dataset.objects.filter(name="moi").exists()
    with pytest.raises(ValidationError):
        dataset_save(
            actor=world["admin"],
            dataset=Dataset(name="x", title="X", builder="nope", publisher=world["province"]),
            created=True,
        )
    dataset_save(actor=world["admin"], dataset=dataset, created=True)
    assert AuditEvent.objects.filter(action="insights.dataset_created", object_id=str(dataset.pk)).count() == 1


# ------------------------------------------------------------------------------------------------------ DCAT

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _triples_from_rdfxml(data: bytes) -> set[tuple[str, str, str]]:
    root = SafeET.fromstring(data)
    out = set()
    for node in root:
        subject = node.get(f"{{{RDF}}}about")
        out.add((subject, RDF + "type", node.tag.replace("{", "").replace("}", "")))
        for prop in node:
            predicate = prop.tag.replace("{", "").replace("}", "")
            obj = prop.get(f"{{{RDF}}}resource")
            out.add((subject, predicate, obj if obj is not None else prop.text or ""))
    return out


def _triples_from_jsonld(data: bytes) -> set[tuple[str, str, str]]:
    doc = json.loads(data)
    context = doc["@context"]
    expand = lambda name: context[name.split(":")[0]] + name.split(":", 1)[1]  # noqa: E731
    out = set()
    for item in doc["@graph"]:
        out.add((item["@id"], RDF + "type", expand(item["@type"])))
        for key, values in item.items():
            if key.startswith("@"):
                continue
            for v in values:
                out.add((item["@id"], expand(key), v.get("@id", v.get("@value"))))
    return out


def test_dcat_catalogue_in_both_serialisations(client, world):
    rdf = client.get(reverse("opendata:catalog", args=["rdf"]))
    jsonld = client.get(reverse("opendata:catalog", args=["jsonld"]))
    assert rdf["Content-Type"] == "application/rdf+xml" and jsonld["Content-Type"] == "application/ld+json"
    a, b = _triples_from_rdfxml(rdf.content), _triples_from_jsonld(jsonld.content)
    assert a == b
    dcat = "http://www.w3.org/ns/dcat#"
    datasets = {s for s, p, o in a if p == RDF + "type" and o == dcat + "Dataset"}
    assert len(datasets) == 6  # the unpublished one is not in the catalogue
    page = "http://testserver" + reverse("opendata:detail", args=["co-quan"])
    assert (page, "http://purl.org/dc/terms/title", "Bộ dữ liệu co-quan") in a
    distributions = {o for s, p, o in a if s == page and p == dcat + "distribution"}
    assert "http://testserver" + reverse("opendata:download", args=["co-quan", "csv"]) in distributions
    assert (
        page,
        "http://purl.org/dc/terms/accrualPeriodicity",
        "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    ) in a
    assert client.get(reverse("opendata:catalog", args=["ttl"])).status_code == 404


def test_the_administration_saves_through_the_service(client, world):
    admin = world["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.post(
        reverse("admin:insights_dataset_add"),
        {
            "name": "moi-qua-admin",
            "title": "Bộ dữ liệu mới",
            "description": "",
            "builder": "agencies",
            "publisher": world["province"].pk,
            "licence": "cc-by-4.0",
            "frequency": "monthly",
            "tags": "",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get(name="moi-qua-admin")
    assert AuditEvent.objects.filter(action="insights.dataset_created", object_id=str(dataset.pk)).exists()
