"""Enumerations of open data and periodic reports (values in English, labels in Vietnamese)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Licence(models.TextChoices):
    """Licences a dataset may carry; the id is CKAN's licence id, the URL goes into DCAT's dct:license."""

    CC_BY_4 = "cc-by-4.0", _("Creative Commons Ghi công 4.0 (CC BY 4.0)")
    CC0 = "cc-zero", _("Creative Commons CC0 (không giữ bản quyền)")
    ODC_BY = "odc-by", _("Open Data Commons Ghi công (ODC-BY)")


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
}


class DatasetFrequency(models.TextChoices):
    """How often a dataset is updated; the URI is the EU frequency vocabulary DCAT-AP uses."""

    DAILY = "daily", _("Hằng ngày")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")
    IRREGULAR = "irregular", _("Khi có thay đổi")


FREQUENCY_URIS = {
    DatasetFrequency.DAILY: "http://publications.europa.eu/resource/authority/frequency/DAILY",
    DatasetFrequency.MONTHLY: "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    DatasetFrequency.QUARTERLY: "http://publications.europa.eu/resource/authority/frequency/QUARTERLY",
    DatasetFrequency.YEARLY: "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
    DatasetFrequency.IRREGULAR: "http://publications.europa.eu/resource/authority/frequency/IRREG",
}


class ReportPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    HALF_YEARLY = "half_yearly", _("6 tháng")
    YEARLY = "yearly", _("Hằng năm")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang lập")
    SUBMITTED = "submitted", _("Đã ký gửi")
    RETURNED = "returned", _("Trả lại để chỉnh sửa")
    ACCEPTED = "accepted", _("Đã tiếp nhận")


class ValueSource(models.TextChoices):
    """Where an indicator's figure comes from: typed by the agency, or computed from the platform's data."""

    MANUAL = "manual", _("Cơ quan tự nhập")
    DOSSIERS_RECEIVED = "dossiers_received", _("Hồ sơ tiếp nhận trong kỳ (tính từ hệ thống)")
    DOSSIERS_FINISHED = "dossiers_finished", _("Hồ sơ giải quyết xong trong kỳ (tính từ hệ thống)")
    DOSSIERS_ON_TIME = "dossiers_on_time", _("Hồ sơ giải quyết xong đúng hạn (tính từ hệ thống)")
    DOSSIERS_LATE = "dossiers_late", _("Hồ sơ giải quyết xong quá hạn (tính từ hệ thống)")
    DOSSIERS_ONLINE = "dossiers_online", _("Hồ sơ nộp trực tuyến trong kỳ (tính từ hệ thống)")
    FEEDBACK_RECEIVED = "feedback_received", _("Phản ánh được chuyển đến trong kỳ (tính từ hệ thống)")
    FEEDBACK_RESOLVED = "feedback_resolved", _("Phản ánh xử lý xong trong kỳ (tính từ hệ thống)")
