from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Điều hành (IOC), chỉ số 766, báo cáo, dữ liệu mở"
