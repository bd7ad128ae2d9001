"""A unit of work: the new rows of one state change, filled by the service and written in one go.

A service builds its new rows unsaved (a parent row and the rows that refer to it), says which text the
database works out for them (`core.speedups.insert.Computed`, a dossier's code) and which audit event goes
with the parent (`core.audit.pending()`), then writes them all with `write()`, which gives back what it
wrote (`Written`). The service reads the same on every database and with the speed-ups on or off:

- on PostgreSQL with the speed-up "insert" on, the rows, the text and the event are one statement
  (core/speedups/insert.py), which is a transaction by itself;
- otherwise the plain ORM writes them (`save()`, one `bulk_create()` per model, `core.audit.append()`),
  inside a transaction the caller opens when `needs_transaction()` says so.

    work = NewRows(dossier, computed=code)
    work.add(*files, event, outbox)
    work.audit(audit.pending(actor=..., action="dossiers.submit", obj=dossier))
    with transaction.atomic() if work.needs_transaction() else nullcontext():
        ...  # anything else the change does in the same transaction (storing the files)
        written = work.write()
"""

from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Model

from core.speedups.insert import Computed, insert_together, one_statement


@dataclass(frozen=True)
class Written:
    """What a unit of work wrote: the parent and its rows (saved, with their ids), the audit event appended
    with them, and the text the database worked out (a dossier's code), if any."""

    parent: Model
    rows: tuple[Model, ...]
    audit_event: Model | None = None
    computed: str | None = None

    def of(self, model: type[Model]) -> list:
        """The rows of `model`, in the order they were added."""
        return [row for row in self.rows if isinstance(row, model)]


@dataclass
class NewRows:
    """The new rows of a state change (see the module's docstring)."""

    parent: Model
    computed: Computed | None = None
    using: str | None = None
    rows: list[Model] = field(default_factory=list)
    _event: Model | None = None
    _written: Written | None = None

    def __post_init__(self) -> None:
        if self.using is None:
            self.using = router.db_for_write(type(self.parent), instance=self.parent)

    def add(self, *rows: Model) -> None:
        self.rows.extend(rows)

    def audit(self, event: Model) -> None:
        """The parent's audit event (`core.audit.pending()`), appended to its chain with the rows."""
        self._event = event

    def needs_transaction(self) -> bool:
        """Whether `write()` must run inside a transaction the caller opens: where it is several statements,
        or inside a caller's transaction already (a savepoint, so that a failure leaves that one usable)."""
        using = self.using or "default"
        return not one_statement(using) or connections[using].in_atomic_block

    def write(self) -> Written:
        if self._written is not None:
            raise RuntimeError("NewRows.write(): already written")
        insert_together(self.parent, self.rows, using=self.using, computed=self.computed, audit=self._event)
        self._written = Written(
            parent=self.parent,
            rows=tuple(self.rows),
            audit_event=self._event,
            computed=self.computed.value if self.computed is not None else None,
        )
        return self._written
