"""Issue 17: a queue that cannot be reached after commit never turns a saved submission into an error."""

import pytest
import redis
from django_tasks import task_backends

from dossiers.models import Dossier, SyncOutbox

from .core_world import build_world
from .test_api import api_submit

pytestmark = pytest.mark.django_db


def test_submission_answers_201_when_the_queue_is_down(monkeypatch, django_capture_on_commit_callbacks, caplog):
    w = build_world()

    def unreachable(self, *args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(type(task_backends["default"]), "enqueue", unreachable)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_submit(w)
    assert callbacks  # the side effects were due after commit, and each one failed to queue
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert dossier.status == "submitted"
    assert SyncOutbox.objects.filter(dossier=dossier).exists()  # what dossiers_sync will push
    assert "not queued (the change itself is saved)" in caplog.text
