from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Thủ tục hành chính"

    def ready(self) -> None:
        from . import search_index

        search_index.connect_signals()
        search_index.register_prelude()
