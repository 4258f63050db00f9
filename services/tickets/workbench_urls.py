"""The worker's mobile workbench (filled in by services.tickets.workbench_views)."""

urlpatterns = []
