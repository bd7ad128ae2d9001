"""The demo province gives Sở Tư pháp's văn thư, director and official something to work on."""

import io

import pytest
from django.core.management import call_command

from directory.models import User
from documents import demo, selectors
from documents.models import Assignment, IncomingDocument


@pytest.mark.django_db
def test_the_demo_fills_the_clerks_and_the_officials_queues(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", stdout=io.StringIO())
    demo.load(io.StringIO())  # once more: nothing is added twice
    demo.load(io.StringIO())
    assert IncomingDocument.objects.count() == 3
    clerk = User.objects.get(username="vanthu.stp")
    waiting = selectors.registration_queue(clerk)
    assert len(waiting) == 1 and waiting[0].is_urgent and waiting[0].overdue
    official = User.objects.get(username="chuyenvien.stp")
    assert [a.unit.name for a in selectors.handling_queue(official)] == ["Phòng Hành chính tư pháp"]
    assert Assignment.objects.count() == 2


@pytest.mark.django_db
def test_the_demo_leaves_a_ward_draft_waiting_for_the_section_head(settings, tmp_path):
    from documents.models import OutgoingDocument, ReviewStep

    settings.MEDIA_ROOT = str(tmp_path)
    settings.SIGNING_PKI_DIR = str(tmp_path / "pki")
    call_command("seed_demo", stdout=io.StringIO())
    demo.load(io.StringIO())  # once more: nothing is added twice
    draft = OutgoingDocument.objects.get()
    assert draft.status == "in_review" and draft.agency.code == demo.WARD_DONG_HOI
    assert ReviewStep.objects.filter(agency=draft.agency).count() == 2
    head = User.objects.get(username="truongbophan.donghoi")
    assert selectors.outgoing_worklist(head) == [draft]
    assert selectors.outgoing_worklist(User.objects.get(username="lanhdao.donghoi")) == []
