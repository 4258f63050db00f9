"""Photos and videos that residents and workers attach to tickets.

- checks.py: is the upload what it claims to be (read from its content, never its name
  or the browser's content type), within the size, pixel and length limits?
- images.py: the stored copy of a photo (upright, no EXIF location) and its thumbnail.
- video.py: the kept copy of a short video, without the location the phone wrote in it.
- movie.py: what FFmpeg (PyAV) reads from a video: its length, a frame for its poster.
- fields.py: form fields for up to 9 photos (files, or WeChat JS-SDK serverIds) and a video.
- storage.py: unguessable file names, and the cleaned copy stored in place of the original.
- wechat.py: a photo a resident chose in WeChat, fetched from WeChat's media API.
"""
