"""Admin menus and viewsets of the services app, one module per area."""

from .reports import admin_hooks as report_hooks  # noqa: F401
from .tickets import admin_hooks, workbench_hooks  # noqa: F401
