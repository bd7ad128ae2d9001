"""Every address of the documents app reaches its own view: no pattern is shadowed by an earlier, wider one
(`di/<pk>/<action>/` once caught `di/<pk>/lien-thong/`)."""

import re

from django.urls import resolve, reverse

from documents import urls

SAMPLES = {"int": "7", "slug": "tra-lai", "str": "ABC123", "path": "a/b"}


def test_each_named_address_resolves_to_its_own_view():
    checked = 0
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        kwargs = {name: SAMPLES[kind] for kind, name in re.findall(r"<(\w+):(\w+)>", route)}
        address = reverse(f"documents:{pattern.name}", kwargs=kwargs)
        assert resolve(address).url_name == pattern.name, (route, address, resolve(address).url_name)
        checked += 1
    assert checked == len(urls.urlpatterns) >= 25
