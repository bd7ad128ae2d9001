from django.core.management.base import BaseCommand, CommandError

from directory.models import Agency
from signing import pki
from signing.demo import signing_positions


class Command(BaseCommand):
    help = (
        "Tạo hạ tầng khóa DEMO (CA gốc, CA tỉnh, CRL, chứng thư ký số cho từng cơ quan và chứng thư cá nhân "
        "cho từng người có thẩm quyền ký) trong "
        "SIGNING_PKI_DIR. Chỉ để thử nghiệm: KHÔNG DÙNG THẬT."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--agency",
            action="append",
            default=[],
            metavar="CODE",
            help="Chỉ tạo cho cơ quan có mã này (có thể lặp lại).",
        )

    def handle(self, *args, agency, **options):
        if pki.signing_mode() != "demo":
            raise CommandError("SIGNING_MODE không phải 'demo': không tạo khóa demo.")
        agencies = Agency.objects.filter(is_active=True).order_by("code")
        if agency:
            agencies = agencies.filter(code__in=agency)
            missing = set(agency) - set(agencies.values_list("code", flat=True))
            if missing:
                raise CommandError(f"Không tìm thấy cơ quan: {', '.join(sorted(missing))}")
        paths = pki.init_demo_pki(list(agencies))
        positions = [p for p in signing_positions() if p.agency_id in {a.pk for a in agencies}]
        persons = pki.init_demo_persons(positions)
        directory = pki.pki_dir()
        self.stdout.write(
            f"PKI demo tại {directory}: CA gốc {directory / 'root.cert.pem'}, "
            f"CA tỉnh {directory / 'province-ca.cert.pem'}, {len(paths)} chứng thư cơ quan, "
            f"{len(persons)} chứng thư cá nhân của người có thẩm quyền ký."
        )
        for path in paths:
            self.stdout.write(f"  {path.name}")
        for position, path in zip(positions, persons, strict=True):
            self.stdout.write(f"  {path.name} – {position.user.full_name}, {position.title}, {position.agency.name}")
