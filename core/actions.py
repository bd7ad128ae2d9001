"""A registry of the actions an app's records go through, each action declared once.

An app lists its actions as `Action` rows in one `Registry` (`dossiers/actions.py`, `feedback/actions.py`);
its pages, its API, its permission checks, the buttons it shows and the API's documentation all read
that table, so no second list of actions can drift from the first. The registry holds no rule of its own:
the service behind an action keeps checking its permission and its transition, and `who` is the
predicate the app's permissions module already uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Rule:
    """Who may perform an action on a record: a predicate `test(user, record)` and the same rule in words
    (for the API's documentation). Rules combine with `|`: either one allows, and the words are joined."""

    test: Callable[[Any, Any], bool]
    words: str

    def __call__(self, user, record) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(self.test(user, record))

    def __or__(self, other: Rule) -> Rule:
        return Rule(lambda user, record: self.test(user, record) or other.test(user, record), f"{self}; {other}")

    def __str__(self) -> str:
        return self.words


@dataclass(frozen=True)
class Action:
    """One action: its code, the service it calls, and what pages and the API need to offer it.

    - `name`: the code recorded in the timeline and the audit trail (the app's choices value).
    - `service`: the function doing it; `arguments(user, record, data)` gives the service's keyword
      arguments from the cleaned input (a form's or a serializer's), the same for every channel.
    - `who`: the permission predicate (a `Rule`); None where the service checks it against another record.
    - `statuses`: the statuses in which the action is offered (buttons; the service enforces the transition).
    - `page`: the URL slug of the page (Vietnamese, "tiep-nhan"); `api`: the API's name ("request-completion").
    - `form`: the page's form class, `form_kwargs(record)` its extra arguments; `serializer`: the API's
      input serializer, a class or its dotted path (read when first used, so the registry may be declared
      below the API module that defines it); `multipart`: the API also takes multipart/form-data.
    - `message`: what the page says once the action is done.
    - `anonymous`: may be done without an account (a key given to the person stands in for it).
    """

    name: str
    service: Callable | None = None
    arguments: Callable[[Any, Any, dict], dict] | None = None
    who: Rule | None = None
    statuses: frozenset = frozenset()
    page: str = ""
    api: str = ""
    form: type | None = None
    form_kwargs: Callable[[Any], dict] | None = None
    serializer: type | str | None = None
    multipart: bool = False
    message: Any = ""
    anonymous: bool = False

    @property
    def permission(self) -> str:
        """The action code its permission is checked under (the name)."""
        return self.name

    @property
    def input_serializer(self) -> type | None:
        if isinstance(self.serializer, str):
            return import_string(self.serializer)
        return self.serializer

    def allowed(self, user, record) -> bool:
        return self.who is not None and self.who(user, record)

    def offered(self, user, record, status: str) -> bool:
        """Shown as a button: the record is in one of the action's statuses and the user may do it."""
        return status in self.statuses and self.allowed(user, record)

    def __call__(self, user, record, data: dict):
        """Perform the action: the service with the arguments read from `data`."""
        if self.service is None or self.arguments is None:
            raise TypeError(f"action {self.name!r} has no service to call")
        return self.service(**self.arguments(user, record, data))


class Registry:
    """The actions of one app, looked up by name, by page slug or by API name (each unique)."""

    def __init__(self, actions: Iterable[Action]):
        self._actions = list(actions)
        self._by_name: dict[str, Action] = {}
        self._by_page: dict[str, Action] = {}
        self._by_api: dict[str, Action] = {}
        for action in self._actions:
            for key, index in ((action.name, self._by_name), (action.page, self._by_page), (action.api, self._by_api)):
                if not key:
                    continue
                if key in index:
                    raise ValueError(f"action {key!r} is declared twice")
                index[key] = action

    def __iter__(self) -> Iterator[Action]:
        return iter(self._actions)

    def __contains__(self, name) -> bool:
        return str(name) in self._by_name

    def __getitem__(self, name) -> Action:
        return self._by_name[str(name)]

    def get(self, name) -> Action | None:
        return self._by_name.get(str(name))

    def for_page(self, slug: str) -> Action | None:
        return self._by_page.get(slug)

    def for_api(self, name: str) -> Action | None:
        return self._by_api.get(name)

    def on_pages(self) -> dict[str, Action]:
        """Page slug → action, in the order declared (the order of the buttons)."""
        return dict(self._by_page)

    def in_api(self) -> dict[str, Action]:
        """API name → action, in the order declared."""
        return dict(self._by_api)
