"""URLs of the wechat app."""

from django.urls import path

from . import callback, jssdk, simulator

app_name = "wechat"

urlpatterns = [
    path("callback/<str:appid>/", callback.callback, name="callback"),
    path("dev/simulator/", simulator.simulator, name="simulator"),
    path("jssdk/config/", jssdk.config_view, name="jssdk_config"),
]
