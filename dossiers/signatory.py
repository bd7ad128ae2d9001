"""Who signs a dossier's generated result.

The rule (Nghị định 30/2020/NĐ-CP, Điều 13 and Điều 15; Nghị định 61/2018/NĐ-CP, Điều 19): the
result is an administrative document of the competent agency. It is signed first by the competent
person with their own digital signature, then by the agency with its certificate. The competent
person is an official holding a signing right in the competent agency (directory.StaffPosition
.signing_right: the head, or KT./TL./TUQ./Q. as the agency decided), and among those the one who
decided the dossier in the platform's workflow:

1. the official who generates the result, when they hold that right (a leader holding the last step,
   or finishing the dossier after approving it);
2. otherwise the official who approved the dossier's last approval step (the most recently finished
   leader step), when they hold that right — the one-stop desk or the specialist then only produces
   the document that leader decided; the leader's personal key signs it;
3. otherwise nobody may sign: the result cannot be generated (upload the PDF the competent person
   signed instead). An official without a signing right never signs, whatever step they hold.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from directory.selectors import signing_position

from .choices import StepStatus
from .permissions import LEADER_ROLES


def result_signer(dossier, actor):
    """The directory.StaffPosition whose holder signs the generated result (rule in the module docstring).

    Raises ValidationError (code "no_signer", a Vietnamese message) when nobody with a signing right
    decided it: the caller's transaction then changes nothing.
    """
    agency_id = dossier.competent_agency_id
    position = signing_position(actor, agency_id)
    if position is not None:
        return position
    approval = (
        dossier.steps.filter(status=StepStatus.DONE, role__in=LEADER_ROLES, finished_by__isnull=False)
        .select_related("finished_by")
        .order_by("-finished_at", "-id")
        .first()
    )
    if approval is not None:
        position = signing_position(approval.finished_by, agency_id)
        if position is not None:
            return position
    raise ValidationError(
        "Kết quả điện tử phải do người có thẩm quyền ký của cơ quan giải quyết ký số; hồ sơ chưa được "
        "người có thẩm quyền ký phê duyệt. Hãy chuyển lãnh đạo phê duyệt hoặc đính kèm tệp kết quả đã ký.",
        code="no_signer",
    )
