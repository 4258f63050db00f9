"""A short video read through FFmpeg (PyAV): at upload, whether it has a picture to play
and how long it is, from the container's headers alone (cheap enough for a request); in
the background, one frame for its poster.

The upload has already passed the ``ftyp`` check (checks.py), so FFmpeg is told it is an
ISO base media file ("mov" demuxes MP4 and QuickTime alike) instead of guessing among
all the formats it knows.
"""

import math
from contextlib import contextmanager
from dataclasses import dataclass

import av

DEMUXER = "mov"
# The poster is taken about this far in: the first frame of a phone video is often dark
# or blurred while the camera settles.
POSTER_AT_SECONDS = 1.0
# A frame after a seek is found within one group of pictures; a stream that needs more
# than this is not worth the work for a poster.
MAX_FRAMES_DECODED = 300


class Unplayable(ValueError):
    """FFmpeg cannot open the file, or it holds no video stream it can decode."""


@dataclass(frozen=True)
class Still:
    """A picture of the video (a Pillow image, None when no frame could be decoded) and
    its length in seconds (None when the headers do not say)."""

    image: object
    seconds: float | None


@contextmanager
def _opened(file):
    file.seek(0)
    try:
        with av.open(file, "r", format=DEMUXER) as container:
            yield container
    except av.FFmpegError as error:
        raise Unplayable(str(error)) from None
    finally:
        file.seek(0)


def _picture_stream(container):
    for stream in container.streams.video:
        context = stream.codec_context
        if context is not None and context.codec.is_decoder and stream.width and stream.height:
            return stream
    return None


def _seconds(container, stream):
    """The playing time of the whole file (a long sound track behind a short picture
    counts too), else of the picture stream."""
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def read_length(file):
    """The video's length in seconds (None when its headers do not say); raises
    Unplayable when there is no picture stream FFmpeg can decode (an audio-only file,
    garbage behind a valid ``ftyp``)."""
    with _opened(file) as container:
        stream = _picture_stream(container)
        if stream is None:
            raise Unplayable("no video stream with a decoder")
        return _seconds(container, stream)


def read_still(file, at=POSTER_AT_SECONDS):
    """The picture about ``at`` seconds in (the first one of a shorter video), turned
    upright, and the video's length. Never raises for what the file holds: a video
    FFmpeg cannot read gives a Still of None and None."""
    try:
        with _opened(file) as container:
            stream = _picture_stream(container)
            if stream is None:
                return Still(None, None)
            seconds = _seconds(container, stream)
            target = at if seconds and seconds > at else 0.0
            return Still(_frame_at(container, stream, target), seconds)
    except Unplayable:
        return Still(None, None)


def _frame_at(container, stream, target):
    if target:
        try:
            # To the key frame at or before the target; decoding goes on from there.
            container.seek(math.floor(target / stream.time_base), stream=stream)
        except av.FFmpegError:
            container.seek(0)
            target = 0.0
    try:
        for count, frame in enumerate(container.decode(stream)):
            if frame.time is None or frame.time >= target or count >= MAX_FRAMES_DECODED:
                return _upright(frame)
    except av.FFmpegError:
        pass
    return None


def _upright(frame):
    """Phones record a portrait video as landscape pictures and a rotation to show
    them with (the display matrix); the poster is shown as the player would."""
    image = frame.to_image()
    # Degrees counter-clockwise, as Pillow turns: -90 for an iPhone held upright.
    return image.rotate(frame.rotation, expand=True) if frame.rotation % 360 else image
