"""The services app's H5 pages: the owner's tickets and the worker's workbench. (The
owner's forms live on Wagtail pages; the staff desk is in the Wagtail admin.)"""

from .tickets import owner_urls, workbench_urls

app_name = "services"

urlpatterns = [*owner_urls.urlpatterns, *workbench_urls.urlpatterns]
