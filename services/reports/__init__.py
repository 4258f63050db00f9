"""Ticket reports for the admin: figures per period and community, and their export."""
