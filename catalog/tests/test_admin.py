"""Staff management through the admin: lists and forms render; saving a published version versions it."""

import pytest

from catalog.models import CatalogImport, Procedure, ProcedureVersion
from directory.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("sieuquantri", "a@example.vn", "matkhau-an-toan-1", kind="staff")


def test_admin_pages_render(client, superuser, make_procedure):
    procedure = make_procedure()
    version = procedure.current_version
    CatalogImport.objects.create(filename="x.json", file="catalog/imports/x.json")
    client.force_login(superuser)
    for url in (
        "/quan-tri/catalog/procedure/",
        f"/quan-tri/catalog/procedure/{procedure.pk}/change/",
        "/quan-tri/catalog/procedureversion/",
        f"/quan-tri/catalog/procedureversion/{version.pk}/change/",
        "/quan-tri/catalog/field/",
        "/quan-tri/catalog/catalogimport/",
    ):
        assert client.get(url).status_code == 200, url


def test_saving_a_published_version_publishes_a_new_one(client, superuser, make_procedure, agencies):
    from catalog.tests.conftest import WARD

    version = make_procedure().current_version
    client.force_login(superuser)
    url = f"/quan-tri/catalog/procedureversion/{version.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(
        {
            "name": "Đăng ký khai sinh (sửa đổi)",
            "processing_time": "3.0",
            "competent_agencies": [agencies[WARD].pk],
            "receiving_agencies": [agencies[WARD].pk],
            "form_schema": __import__("json").dumps(version.form_schema),
        }
    )
    for prefix in ("components", "fees", "steps"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    versions = list(ProcedureVersion.objects.order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "retired"), (2, "published")]
    assert versions[0].name == "Đăng ký khai sinh" and versions[1].name == "Đăng ký khai sinh (sửa đổi)"
    assert versions[1].components.count() == 2  # copied
    assert Procedure.objects.get().current_version.number == 2
