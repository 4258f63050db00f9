from django.urls import path

from . import owner_views

app_name = "my_orders"

urlpatterns = [
    path("shop/<int:merchant_id>/checkout/", owner_views.checkout, name="checkout"),
    path("me/orders/", owner_views.order_list, name="list"),
    path("me/orders/<int:pk>/", owner_views.order_detail, name="detail"),
    path("me/orders/<int:pk>/cancel/", owner_views.cancel, name="cancel"),
    path("me/orders/<int:pk>/after-sale/", owner_views.ask_after_sale, name="after_sale"),
]
