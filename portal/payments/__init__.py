"""Payment orders, WeChat Pay v3, refunds and offline payments: the one payment core
that bills and merchant orders pay through (see purposes.py)."""
