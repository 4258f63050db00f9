"""Notifications: the inbox (站内信), WeChat template messages and SMS, and their log.

``from portal.notifications import notify, notify_many`` — see service.py. Imported
lazily, so that models of other apps may import this package while apps are loading.
"""


def notify(recipient, event, context=None, *, url="", community=None):
    from .service import notify as _notify

    return _notify(recipient, event, context, url=url, community=community)


def notify_many(recipients, event, context=None, *, url="", community=None):
    from .service import notify_many as _notify_many

    return _notify_many(recipients, event, context, url=url, community=community)
