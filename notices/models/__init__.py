"""The editorial pages residents read, and what hangs off them.

HomePage (one per community)
├── NoticeIndexPage ─ NoticePage (targeted at the company, communities, buildings or units)
├── ActivityIndexPage ─ ActivityPage (targeted the same way; residents sign up)
├── HandbookPage (sections with a table of contents)
└── ContactPage (service numbers and office hours)

pages.py holds the notices, the handbook and contacts and the bases they share;
activities.py the activities and their sign-ups; personal.py the short notices the
office sends to chosen residents.
"""

from .activities import (
    ActivityIndexPage,
    ActivityPage,
    ActivityPush,
    ActivitySignup,
    ActivityTarget,
)
from .pages import (
    CommunityApprovalTask,
    CommunityPage,
    CommunityPageQuerySet,
    ContactPage,
    HandbookPage,
    NoticeIndexPage,
    NoticePage,
    NoticePush,
    NoticeRead,
    NoticeTarget,
    PagePush,
    PageTarget,
)
from .personal import PersonalNotice, residents_living_in

__all__ = [
    "ActivityIndexPage", "ActivityPage", "ActivityPush", "ActivitySignup", "ActivityTarget",
    "CommunityApprovalTask", "CommunityPage", "CommunityPageQuerySet", "ContactPage",
    "HandbookPage", "NoticeIndexPage", "NoticePage", "NoticePush", "NoticeRead",
    "NoticeTarget", "PagePush", "PageTarget", "PersonalNotice", "residents_living_in",
]
