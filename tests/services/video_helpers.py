"""Real small videos for the tests, written with PyAV (the FFmpeg in its wheel): a few
frames of plain colour, as MP4 or QuickTime, optionally with the recording's location."""

import struct
import tempfile
from fractions import Fraction
from pathlib import Path

import av
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

RED, BLUE = (220, 30, 30), (30, 30, 220)
APPLE_LOCATION_KEY = "com.apple.quicktime.location.ISO6709"


def video_bytes(seconds=2, rate=10, size=(64, 48), colours=(RED,), container="mp4",
                codec="mpeg4", location=None, audio_only=False, picture=None):
    """An MP4 (or "mov") of ``seconds`` at ``rate`` frames a second, ``moov`` first as
    phones write it. Second n shows ``colours[n]`` (the last one once they run out), or
    every frame ``picture`` (a Pillow image of ``size``);
    ``location``: an ISO 6709 text, written as phones do (QuickTime: ``©xyz`` in ``udta``;
    MP4: the ``meta`` keys of iPhones)."""
    movflags = "faststart"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"clip.{container}"
        if location and container == "mp4":
            movflags += "+use_metadata_tags"
        with av.open(str(path), "w", format=container,
                     options={"movflags": movflags}) as output:
            if location:
                key = "location" if container == "mov" else APPLE_LOCATION_KEY
                output.metadata[key] = location
            if audio_only:
                _write_silence(output, seconds)
            else:
                pictures = [picture] if picture else [Image.new("RGB", size, c) for c in colours]
                _write_pictures(output, seconds, rate, size, pictures, codec)
        return path.read_bytes()


def _write_pictures(output, seconds, rate, size, pictures, codec):
    stream = output.add_stream(codec, rate=rate)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    for n in range(round(seconds * rate)):
        picture = av.VideoFrame.from_image(pictures[min(n // rate, len(pictures) - 1)])
        picture.pts = n
        picture.time_base = Fraction(1, rate)
        output.mux(stream.encode(picture))
    output.mux(stream.encode(None))


def _write_silence(output, seconds, sample_rate=8000):
    stream = output.add_stream("aac", rate=sample_rate)
    samples = 1024
    for n in range(round(seconds * sample_rate / samples)):
        frame = av.AudioFrame(format="fltp", layout="mono", samples=samples)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = sample_rate
        frame.pts = n * samples
        output.mux(stream.encode(frame))
    output.mux(stream.encode(None))


def video_upload(name="VID_0001.mp4", **options):
    return SimpleUploadedFile(name, video_bytes(**options), content_type="video/mp4")


def with_garbled_pictures(data):
    """The same file with every byte of its media data (``mdat``) turned to noise: the
    boxes and headers are intact, no picture can be decoded."""
    at = data.index(b"mdat") + 4
    end = at - 8 + int.from_bytes(data[at - 8:at - 4], "big")
    noise = bytes((n * 7 + 3) % 256 for n in range(end - at))
    return data[:at] + noise + data[end:]


def recorded_upright(data):
    """The video as an iPhone records it held upright: the pictures stored sideways and
    a display matrix in the track header (``tkhd``) that turns them a quarter clockwise."""
    matrix_at = data.index(b"tkhd") + 4 + 40  # version 0: times, ids, layer, volume first
    matrix = struct.pack(">9i", 0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30)
    return data[:matrix_at] + matrix + data[matrix_at + 36:]
