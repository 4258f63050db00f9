"""Chinese text for the search index.

Chinese is written without spaces, and the database search backends (SQLite's FTS and
PostgreSQL's "simple" configuration) split words on spaces and punctuation only: "停水"
would never match "明天停水通知". So the index gets a copy of the text with every CJK
character as a word of its own, and a query is split the same way and matched with
"and": every character of the query must appear.
"""

import re

# CJK unified ideographs (with extension A) and compatibility ideographs.
_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def spaced(text):
    return " ".join(_CJK.sub(r" \1 ", text or "").split())


def search(queryset, query, limit):
    return queryset.search(spaced(query), operator="and")[:limit]
