"""Fixtures shared by every app's tests: accounts with roles, and a headless Chromium."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls made by the
# test itself (setting up data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NATIONAL_SYNC_DIR = tmp_path / "national_sync"
    settings.AUDIT_HEAD_FILE = str(tmp_path / "audit" / "heads.log")  # the audit heads of this test only, never var/
    settings.AXES_ENABLED = False
    settings.DEMO_PAYMENTS = True  # the pretend bank; off unless asked for (tests of production turn it off)


@pytest.fixture(scope="session")
def browser(live_server):
    """Headless Chromium for the whole run, closed before the live server stops.

    Chromium keeps its connections to the live server open (keep-alive), each served by a thread of the
    server that waits for the next request. When such a thread ends, Django closes the database connections
    it used, and with in-memory SQLite that is the test run's own connection, which a server thread may use
    only while the server runs. Hence the order: this fixture asks for `live_server`, so pytest stops
    Chromium first; closing it ends those connections, and their threads are waited for while the server
    still runs. (Stopped the other way round, every thread left failed with "DatabaseWrapper objects created
    in a thread can only be used in that same thread" at the end of the run.)
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    _join_request_threads()


def _join_request_threads(timeout: float = 10.0) -> None:
    """Wait for the live server's request threads (socketserver names them after process_request_thread)."""
    import threading

    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.name.endswith("(process_request_thread)"):
            thread.join(timeout)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


def browser_login(page, username: str, password: str) -> None:
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def run_together(calls):
    """Start every call at the same moment, each in its own thread with its own database connection (the
    tests of numbers and locks under concurrency); returns (results, exceptions raised)."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def worker(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors
