from django import template

from notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Unread in-app messages of the logged-in user (0 for visitors). One query per page."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_cqs_unread_notifications", None)
    if cached is None:
        cached = selectors.unread_count(user)
        if request is not None:
            request._cqs_unread_notifications = cached
    return cached
