"""Background work of the one-stop system (run after commit through core.tasks)."""

import hashlib
import importlib
import logging

from django.conf import settings
from django.db import transaction

from core.tasks import task

logger = logging.getLogger("cqs.dossiers.tasks")

# Slip kind -> (render function in dossiers.slips, signing kind, title)
SLIP_RENDERERS = {
    "receipt": ("render_receipt", "receipt", "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả"),
    "guidance": ("render_guidance", "slip", "Phiếu hướng dẫn hoàn thiện hồ sơ"),
    "supplement": ("render_supplement_request", "slip", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": ("render_refusal", "slip", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "apology": ("render_apology", "slip", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "control_sheet": ("render_control_sheet", "slip", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    "result": ("render_result", "result", "Kết quả giải quyết thủ tục hành chính"),
}


# Slips issued by the deciding agency rather than the desk; the roles whose title a signer of each kind
# prints first (the head of the agency apologises, Thông tư 01/2018/TT-VPCP, mẫu 05).
_COMPETENT_AGENCY_SLIPS = frozenset({"supplement", "apology", "result"})
_SIGNER_ROLES = {
    "apology": ("agency_leader", "unit_leader"),
    "result": ("agency_leader", "unit_leader"),
    "receipt": ("one_stop_officer",),
    "guidance": ("one_stop_officer",),
    "refusal": ("one_stop_officer",),
}


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def issue_document(*, dossier, kind: str, actor=None, **extra):
    """Render a slip/result with dossiers.slips and sign it with signing.issue_pdf; store a DossierSlip.

    Returns the DossierSlip, or None when the slips or signing modules are not installed yet.
    Runs inside the caller's transaction (the IssuedDocument and the DossierSlip commit together).
    """
    from .models import DossierSlip

    slips = _optional("dossiers.slips")
    signing = _optional("signing.services")
    func_name, signing_kind, title = SLIP_RENDERERS[kind]
    render = getattr(slips, func_name, None) if slips else None
    if render is None or signing is None or not hasattr(signing, "issue_pdf"):
        logger.info("slip %s for %s not issued: slips/signing not available", kind, dossier.pk)
        return None
    signer_agency = dossier.competent_agency if kind in _COMPETENT_AGENCY_SLIPS else dossier.receiving_agency
    if actor is not None and getattr(actor, "is_authenticated", False) and "officer_name" not in extra:
        # the official's full name and the title of their position from the directory, never the user name
        from directory import letterhead

        who = letterhead.signer(actor, signer_agency, roles=_SIGNER_ROLES.get(kind, ()))
        extra = {**extra, "officer_name": who.name, "officer_title": who.title}
    signer = None
    if kind == "result":
        # the competent person signs first with their own key, then the agency (dossiers.signatory)
        from .signatory import result_signer

        signer = result_signer(dossier, actor)
        extra = {
            **extra,
            "signer_title": "\n".join(signer.signature_lines()),
            "signer_name": signer.user.full_name,
        }
    with transaction.atomic():
        issued = signing.issue_pdf(
            render=lambda verify_url: render(dossier, verify_url, **extra),
            agency=dossier.receiving_agency if kind != "result" else dossier.competent_agency,
            kind=signing_kind,
            title=title,
            reference=dossier.code or str(dossier.pk),
            actor=actor,
            related=dossier,
            signer=signer,
        )
        sha = getattr(issued, "sha256", "") or ""
        if not sha and getattr(issued, "file", None):
            with issued.file.open("rb") as fh:
                sha = hashlib.sha256(fh.read()).hexdigest()
        slip = DossierSlip.objects.create(
            dossier=dossier,
            kind=kind,
            file=issued.file.name if getattr(issued, "file", None) else "",
            public_id=str(getattr(issued, "public_id", "") or ""),
            verify_url=getattr(issued, "verify_url", "") or "",
            sha256=sha,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    return slip


@task()
def issue_slip(dossier_id: int, kind: str, actor_id: int | None = None, extra: dict | None = None) -> None:
    """After commit: issue one slip of a dossier (receipt, guidance, supplement, refusal, apology)."""
    from django.contrib.auth import get_user_model

    from .models import Dossier

    dossier = Dossier.objects.select_related("receiving_agency", "competent_agency", "procedure_version").get(
        pk=dossier_id
    )
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    issue_document(dossier=dossier, kind=kind, actor=actor, **(extra or {}))


@task()
def sync_push(outbox_id: int) -> None:
    """After commit: push one status change to the national portal (retried by dossiers_sync)."""
    if not getattr(settings, "NATIONAL_SYNC_ENABLED", True):
        return
    from .sync import push_row

    push_row(outbox_id)


@task()
def sync_drain() -> None:
    """After a bulk change (or from a schedule): push every due row."""
    if not getattr(settings, "NATIONAL_SYNC_ENABLED", True):
        return
    from .sync import drain

    drain()


@task()
def mark_late() -> None:
    from .services import dossiers_mark_late

    dossiers_mark_late()


@task()
def sweep_files() -> None:
    from .sweep import dossiers_sweep_files

    dossiers_sweep_files()
