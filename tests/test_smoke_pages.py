"""Smoke test of the whole site as each kind of demo user sees it.

The demo province is built once for this module (`seed_demo` is idempotent). For every role we open
the home page, every page the home page links to (the navigation), and every internal link found
on those pages. A page the site itself offers must never answer 5xx or 404, and every static file
it references must exist. Detail pages of the same shape (32 procedures, many dossiers) are sampled
so the module stays fast.
"""

import re
from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client, override_settings

ROLES = [
    None,  # anonymous visitor
    "congdan1",  # citizen
    "motcua.stp",  # one-stop officer
    "chuyenvien.stp",  # specialist
    "lanhdao.stp",  # agency leader (signs results)
    "phananh.tinh",  # field-feedback operator
    "admin",  # superuser
]

# Never follow: they change state (logout, language), or are not pages of ours.
SKIP = re.compile(r"^/(dang-xuat/|i18n/|static/|media/|jsi18n/|api/schema/|quan-tri/logout/|quan-tri/.*/add/$)")
PER_SHAPE = 2  # at most this many URLs of the same shape (e.g. /thu-tuc/<code>/) are fetched


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href") and "download" not in a:
            self.hrefs.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon", "preload"):
            self.assets.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.assets.append(a["src"])


def _parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _internal(base_path: str, href: str) -> str | None:
    parts = urlsplit(urljoin("http://testserver" + base_path, href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if SKIP.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    path, _, query = url.partition("?")
    segments = ["*" if any(ch.isdigit() for ch in seg) or len(seg) >= 16 else seg for seg in path.split("/")]
    keys = sorted(k.split("=")[0] for k in query.split("&") if k)
    return "/".join(segments) + "?" + "&".join(keys)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("smoke-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, AXES_ENABLED=False):
        call_command("seed_demo", stdout=StringIO())
        yield media
        # The rows were committed outside any test transaction: remove them so other modules start clean.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def smoke_client(demo_site, _media_root, settings, django_user_model):
    settings.MEDIA_ROOT = demo_site  # files issued by the demo live in the module's media dir

    def make(username):
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(django_user_model.objects.get(username=username))
        return client

    return make


def _crawl(client):
    """Fetch '/', the pages it links to, and the links on those; return (fetched, failures)."""
    fetched: dict[str, int] = {}
    failures: list[str] = []
    per_shape: dict[str, int] = defaultdict(int)
    frontier = [("/", "(start)")]
    for depth in range(3):
        next_frontier = []
        for url, source in frontier:
            if url in fetched:
                continue
            shape = _shape(url)
            if depth and per_shape[shape] >= PER_SHAPE:
                continue
            per_shape[shape] += 1
            response = client.get(url, follow=True)
            fetched[url] = response.status_code
            if response.status_code >= 500 or response.status_code == 404:
                failures.append(f"{response.status_code} {url} (linked from {source})")
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            final_path = response.request["PATH_INFO"]
            links = _parse(response.content.decode(response.charset or "utf-8", "replace"))
            for asset in links.assets:
                parts = urlsplit(urljoin("http://testserver" + final_path, asset))
                if parts.scheme == "data":
                    continue
                if parts.netloc != "testserver":
                    failures.append(f"external asset {asset} on {url}")
                elif parts.path.startswith("/static/") and not finders.find(parts.path[len("/static/") :]):
                    failures.append(f"missing static file {parts.path} on {url}")
            if depth == 2:
                continue
            for href in links.hrefs:
                target = _internal(final_path, href)
                if target and target not in fetched:
                    next_frontier.append((target, url))
        frontier = next_frontier
    return fetched, failures


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES, ids=lambda u: u or "anonymous")
def test_pages_offered_to_role_work(smoke_client, username):
    fetched, failures = _crawl(smoke_client(username))
    assert len(fetched) > 10, f"the crawl found almost nothing: {fetched}"
    assert not failures, f"Broken pages for {username or 'anonymous'}:\n" + "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("username", [r for r in ROLES if r], ids=str)
def test_navigation_offers_no_forbidden_pages(smoke_client, username):
    """The header navigation must only offer pages the signed-in user may open."""
    client = smoke_client(username)
    home = client.get("/")
    assert home.status_code == 200
    forbidden = []
    for href in _parse(home.content.decode()).hrefs:
        target = _internal("/", href)
        if target and client.get(target, follow=True).status_code == 403:
            forbidden.append(target)
    assert not forbidden, f"{username} is offered pages that answer 403: {forbidden}"
