"""The worker's mobile workbench (services.tickets.workbench_views), under /work/."""

from django.urls import path

from . import workbench_views as views

urlpatterns = [
    path("work/", views.orders, name="workbench"),
    path("work/done/", views.done_orders, name="workbench_done"),
    path("work/<int:pk>/", views.order_detail, name="workbench_order"),
    path("work/<int:pk>/take/", views.take, name="workbench_take"),
    path("work/<int:pk>/on-the-way/", views.set_off, name="workbench_set_off"),
    path("work/<int:pk>/start/", views.start, name="workbench_start"),
    path("work/<int:pk>/complete/", views.complete, name="workbench_complete"),
    path("work/<int:pk>/call/", views.call_owner, name="workbench_call"),
]
