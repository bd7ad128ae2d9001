"""A dossier's fees as the dossiers app sees them: a hook that the app keeping fees (payments) fills in.

dossiers sits below payments (docs/conventions.md; the import contract in pyproject.toml): it never imports
payments. payments registers its functions once, when Django starts (payments.apps.PaymentsConfig.ready), and
dossiers asks through `keeper()`. With no keeper registered the procedure's fee table alone decides: a dossier
that owes a fee waits in "payment requested" until an officer settles it by hand
(services.dossier_payment_settled), the dossier pages show no obligations.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FeeKeeper:
    # (dossier=, actor=) -> the dossier's obligations, each with a `status` ("due" while unpaid). Idempotent;
    # runs inside the reception's transaction.
    create_obligations: Callable[..., Iterable[Any]]
    # (dossier) -> the dossier's obligations, for its pages.
    obligations_for: Callable[[Any], Iterable[Any]]
    # (obligation=, actor=, amount=, reference=) -> the payment recorded at the desk (the demo data uses it).
    record_counter_payment: Callable[..., Any]


_keeper: FeeKeeper | None = None


def register(keeper: FeeKeeper | None) -> None:
    """Install the fee keeper (None removes it)."""
    global _keeper
    _keeper = keeper


def keeper() -> FeeKeeper | None:
    return _keeper
