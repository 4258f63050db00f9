"""Admin menus and viewsets of the estate directory."""

from . import import_admin  # noqa: F401  (the spreadsheet import's admin views and menu item)
