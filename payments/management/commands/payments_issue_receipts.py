"""Issue (render, sign, store) electronic receipts whose background issue failed or has not run yet."""

from django.core.management.base import BaseCommand

from payments.models import ElectronicReceipt
from payments.receipts import receipt_issue


class Command(BaseCommand):
    help = "Lập lại các biên lai điện tử chưa có tệp PDF (ví dụ khi ký số bị lỗi tạm thời)."

    def handle(self, *args, **options):
        done = failed = 0
        for pk in ElectronicReceipt.objects.filter(pdf="").values_list("pk", flat=True):
            try:
                receipt_issue(receipt_id=pk)
            except Exception as exc:  # noqa: BLE001 - report and go on with the others
                failed += 1
                ElectronicReceipt.objects.filter(pk=pk).update(error=str(exc)[:500])
                self.stderr.write(f"biên lai {pk}: {exc}")
            else:
                done += 1
        self.stdout.write(f"Đã lập {done} biên lai, lỗi {failed}.")
