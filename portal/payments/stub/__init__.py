"""The local WeChat Pay v3 stub (see server.py)."""

from .server import Notification, WeChatPayStub, new_key_pair, send_all

__all__ = ["Notification", "WeChatPayStub", "new_key_pair", "send_all"]
