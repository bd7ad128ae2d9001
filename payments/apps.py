from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Thanh toán"

    def ready(self):
        # dossiers sits below payments and never imports it: it asks for a dossier's fees through the hook it
        # owns (dossiers.fees), which payments fills in here.
        from dossiers import fees

        from . import selectors, services

        fees.register(
            fees.FeeKeeper(
                create_obligations=services.obligations_create,
                obligations_for=selectors.obligations_for,
                record_counter_payment=services.counter_payment_record,
            )
        )
