from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def shorten_staff_sessions(sender, request, user, **kwargs):
    """Staff sessions end after a working day; residents keep theirs on their phone."""
    if user.is_staff and request is not None and hasattr(request, "session"):
        request.session.set_expiry(settings.STAFF_SESSION_AGE)
