"""REST API of the in-app inbox (to be mounted at /api/notifications/): the logged-in user's own messages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "link", "created_at", "read_at", "is_read"]


@extend_schema(
    tags=["notifications"],
    parameters=[
        OpenApiParameter("unread", bool, description="Chỉ lấy thông báo chưa đọc."),
    ],
)
class InboxView(generics.ListAPIView):
    """Thông báo trong ứng dụng của người đang đăng nhập, mới nhất trước."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    def get_queryset(self):
        qs = selectors.inbox_for(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true", "yes"):
            qs = qs.filter(read_at__isnull=True)
        return qs


@extend_schema(
    tags=["notifications"], responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})
)
class UnreadCountView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"unread": selectors.unread_count(request.user)})


@extend_schema(tags=["notifications"], request=None, responses=NotificationSerializer)
class MarkReadView(APIView):
    """Đánh dấu một thông báo là đã đọc (chỉ thông báo của chính mình; của người khác: 404)."""

    permission_classes = [IsAuthenticated]

    def post(self, request, pk: int):
        from django.http import Http404

        notification = selectors.notification_for(request.user, pk)
        if notification is None:
            raise Http404
        notification = services.notification_mark_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


@extend_schema(
    tags=["notifications"],
    request=None,
    responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
)
class MarkAllReadView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        return Response({"marked": services.notification_mark_all_read(actor=request.user)})
