"""A local stand-in for WeChat's servers, for tests, the demo and benchmarks."""

from .server import Call, WeChatStub

__all__ = ["Call", "WeChatStub"]
