"""Byte ranges (RFC 9110, section 14) for the ticket files a view serves: Safari and
WeChat's browser on iPhones play an MP4 only from a server that answers a range request
with 206 Partial Content; Django's FileResponse always sends the whole file."""

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

_ONE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK_BYTES = 64 * 1024


def requested_range(header, size):
    """The one range asked for as (first, last) byte, both included; None to send the
    whole file (no header, several ranges, or one not understood: the RFC lets a server
    ignore those); False when it lies wholly past the end (416)."""
    match = _ONE_RANGE.match(header.strip()) if header else None
    if not match or match.groups() == ("", ""):
        return None
    if size == 0:
        return False
    first, last = match.groups()
    if not first:  # "bytes=-500": the last 500 bytes
        if int(last) == 0:
            return False
        return max(size - int(last), 0), size - 1
    first = int(first)
    if first >= size:
        return False
    last = min(int(last), size - 1) if last else size - 1
    return None if last < first else (first, last)


class _Slice:
    """``length`` bytes of the open file from ``first``. Django closes what it streams
    when the response ends, read or not (a HEAD, a player that hangs up), and closing
    this closes the file."""

    def __init__(self, handle, first, length):
        self.handle, self.first, self.length = handle, first, length

    def __iter__(self):
        self.handle.seek(self.first)
        left = self.length
        while left > 0:
            chunk = self.handle.read(min(CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk

    def close(self):
        self.handle.close()


def ranged_file_response(request, handle, size, content_type):
    """The open file ``handle`` of ``size`` bytes: the range the request asks for, or all
    of it. A conditional range (If-Range) gets the whole file: we keep no validator to
    compare it with."""
    header = None if "If-Range" in request.headers else request.headers.get("Range")
    wanted = requested_range(header, size)
    if wanted is None:
        response = FileResponse(handle, content_type=content_type)
    elif wanted is False:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        first, last = wanted
        response = StreamingHttpResponse(_Slice(handle, first, last - first + 1),
                                         status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    return response
