"""The main pages run in a real browser without console errors or Content-Security-Policy violations.

The CSP forbids inline <script> and inline event handlers; Chromium reports each blocked script as a
console error, so an app that slips one in (or loads a missing static file) makes this test fail.
"""

import importlib
from io import StringIO

import pytest
from django.db import transaction

from conftest import browser_login

# The parts of `seed_demo` these pages need (the PDF-heavy signing/dossier/payment demos are skipped for speed).
DEMO_APPS = ["directory", "portal", "catalog", "feedback"]


def _load_demo():
    for app in DEMO_APPS:
        with transaction.atomic():
            importlib.import_module(f"{app}.demo").load(StringIO())


def _watch(page):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    page.on("response", lambda resp: problems.append(f"HTTP {resp.status} {resp.url}") if resp.status >= 400 else None)
    return problems


def _visit(page, problems, url, found):
    problems.clear()
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
    found.extend(f"{url}: {p}" for p in problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_console_errors(page):
    _load_demo()
    problems = _watch(page)
    found: list[str] = []
    _visit(page, problems, "/", found)
    _visit(page, problems, "/thu-tuc/?q=khai+sinh", found)
    # The first search result is a procedure detail page.
    detail = page.eval_on_selector_all(
        "main a[href^='/thu-tuc/']", "links => links.map(a => a.getAttribute('href')).find(h => /\\d/.test(h))"
    )
    assert detail, "the catalog search for 'khai sinh' offered no procedure"
    _visit(page, problems, detail, found)
    _visit(page, problems, "/phan-anh/", found)
    # The public feedback page draws its Leaflet map from static/js/feedback-map.js.
    assert page.locator("#fb-map .leaflet-container, #fb-map.leaflet-container").count() == 1, "map did not start"

    browser_login(page, "motcua.stp", "demo12345")
    _visit(page, problems, "/ho-so/can-bo/", found)
    assert not found, "Browser console errors:\n" + "\n".join(found)
