"""Finance reports of the billing desk: collection rate (收缴率) by community, building and
period; arrears ageing; the day's WeChat Pay receipts reconciled against the trade bill.
Every query starts from a queryset scoped with ``visible_to(user)``."""
