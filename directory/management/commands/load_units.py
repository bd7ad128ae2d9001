"""Load administrative units (current two-level structure) from the vietnam-provinces package."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from directory import services, units


class Command(BaseCommand):
    help = (
        "Nạp đơn vị hành chính hiện hành (từ 1/7/2025) từ gói vietnam-provinces: "
        "một tỉnh (--province 44) hoặc cả 34 tỉnh, thành phố (--all)."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--province",
            type=int,
            action="append",
            help="Mã tỉnh/thành phố (có thể lặp lại). Mặc định: PROVINCE_CODE trong cấu hình.",
        )
        group.add_argument("--all", action="store_true", help="Nạp cả 34 tỉnh, thành phố và 3.321 xã, phường.")

    def handle(self, *args, province=None, all=False, **options):
        default = [int(getattr(settings, "PROVINCE_CODE", 44))]
        codes = units.all_province_codes() if all else (province or default)
        known = set(units.all_province_codes())
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise CommandError(f"Không có tỉnh/thành phố mã {', '.join(map(str, unknown))} trong vietnam-provinces.")
        result = services.units_load(actor=None, province_codes=codes)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(codes)} tỉnh/thành phố: thêm {result.created}, cập nhật {result.updated}, "
                f"không đổi {result.unchanged} đơn vị."
            )
        )
