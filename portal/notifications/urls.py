"""URLs of the notifications app."""

urlpatterns = []
