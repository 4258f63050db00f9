from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("wechat/notify/", views.wechat_notify, name="wechat_notify"),
    path("wechat/refund-notify/", views.wechat_refund_notify, name="wechat_refund_notify"),
    path("pay/<str:out_trade_no>/", views.cashier, name="cashier"),
    path("pay/<str:out_trade_no>/status/", views.status, name="status"),
    path("pay/<str:out_trade_no>/demo/", views.sandbox_pay, name="sandbox_pay"),
]
