"""URLs of the wechat app."""

urlpatterns = []
