from django.urls import path

from . import owner_views

app_name = "my_bills"

urlpatterns = [
    path("me/bills/", owner_views.bill_list, name="list"),
    path("me/bills/<int:pk>/", owner_views.bill_detail, name="detail"),
    path("me/bills/pay/", owner_views.pay, name="pay"),
    path("me/bills/payments/<str:number>/cancel/", owner_views.cancel_payment,
         name="cancel_payment"),
    path("me/bills/prepay/", owner_views.prepay, name="prepay"),
    path("me/bills/parking/", owner_views.parking, name="parking"),
    path("me/bills/history/", owner_views.history, name="history"),
    path("me/bills/receipts/<str:number>.pdf", owner_views.receipt_pdf, name="receipt"),
    path("me/funds/", owner_views.fund_list, name="funds"),
    path("me/funds/<int:pk>/", owner_views.fund_detail, name="fund"),
]
