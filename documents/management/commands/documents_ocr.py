"""Read the text of incoming documents still waiting for it (pending, or failed before): the catch-up for
tasks that were never queued or failed (documents/ocr.py). Run it from cron, e.g. every hour."""

from django.core.management.base import BaseCommand

from documents import ocr


class Command(BaseCommand):
    help = "Đọc nội dung (lớp chữ PDF hoặc OCR tiếng Việt) của văn bản đến còn chờ, để tra cứu toàn văn."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit: int, **options):
        states: dict[str, int] = {}
        for document_id in ocr.pending_ids(limit):
            state = ocr.read_incoming(document_id)
            states[state] = states.get(state, 0) + 1
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(states.items())) or "Không có văn bản nào chờ.")
