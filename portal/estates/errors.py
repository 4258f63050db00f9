class TransitionNotAllowed(Exception):
    """A state change its guard refuses. The message is for the user; nothing changed."""
