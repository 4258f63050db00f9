"""Form fields for a ticket's photos and video.

``PhotosField`` takes up to ``max_files`` photos, from a multiple file input or, inside
WeChat, as JS-SDK serverIds (media_ids) that the photo picker puts in hidden inputs named
``<field name>_wechat``. Its cleaned value is a ``ChosenPhotos``: the checked files and
the media_ids, to be fetched with ``wechat.fetch_wechat_media``.

Browsers never send a chosen file again, so when the form comes back with an error the
files must be chosen again; the media_ids are kept (the include renders them again).
"""

import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from .checks import check_photo, check_video, check_video_playable, video_max_seconds
from .video import strip_video_location

MAX_PHOTOS = 9
WECHAT_SUFFIX = "_wechat"
# WeChat's media_ids are 64 URL-safe characters; anything else was not made by WeChat.
MEDIA_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")

TOO_MANY_PHOTOS = ngettext_lazy(
    "You can add at most %(max)d photo.", "You can add at most %(max)d photos.", "max")
BAD_MEDIA_ID = _("A photo chosen in WeChat could not be used. Please choose it again.")
FILE_ERROR = _("%(name)s: %(error)s")


@dataclass
class ChosenPhotos:
    files: list = field(default_factory=list)
    wechat_media_ids: list = field(default_factory=list)

    def __len__(self):
        return len(self.files) + len(self.wechat_media_ids)


class PhotosInput(forms.ClearableFileInput):
    """A file input that takes several pictures, plus the WeChat serverIds sent with it."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        # dict.fromkeys: a media_id sent twice (a double tap in WeChat) counts once.
        media_ids = list(dict.fromkeys(data.getlist(name + WECHAT_SUFFIX)))
        return ChosenPhotos(files.getlist(name), media_ids)

    def value_omitted_from_data(self, data, files, name):
        return name not in files and name + WECHAT_SUFFIX not in data

    def use_required_attribute(self, initial):
        # Inside WeChat the photos come without this input: the browser must not insist.
        return False


class PhotosField(forms.FileField):
    widget = PhotosInput

    def __init__(self, *, max_files=MAX_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        return data if isinstance(data, ChosenPhotos) else ChosenPhotos()

    def clean(self, data, initial=None):
        chosen = data if isinstance(data, ChosenPhotos) else ChosenPhotos()
        if not chosen and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(chosen) > self.max_files:
            raise ValidationError(TOO_MANY_PHOTOS, code="too_many_photos",
                                  params={"max": self.max_files})
        errors = []
        files = []
        for uploaded_file in chosen.files:
            try:
                files.append(self.to_python(uploaded_file))
                check_photo(uploaded_file)
            except ValidationError as error:
                code = getattr(error, "code", None) or "invalid"
                errors += [ValidationError(FILE_ERROR, code=code, params={
                    "name": uploaded_file.name, "error": message}) for message in error.messages]
        if any(not MEDIA_ID.fullmatch(media_id) for media_id in chosen.wechat_media_ids):
            errors.append(ValidationError(BAD_MEDIA_ID, code="bad_media_id"))
        if errors:
            raise ValidationError(errors)
        return ChosenPhotos(files, chosen.wechat_media_ids)

    def has_changed(self, initial, data):
        return bool(data)


def _length_help():
    seconds = video_max_seconds()
    return ngettext("At most %(seconds)d second.", "At most %(seconds)d seconds.",
                    seconds) % {"seconds": seconds}


class VideoField(forms.FileField):
    """One short video, checked by content; its cleaned value is the copy to keep,
    without the location the phone wrote into it (see video.py), that FFmpeg can play
    and within the length limit."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "video/*"}))
        kwargs.setdefault("validators", [check_video])
        # Read when shown, so that the limit is the setting's at the time.
        kwargs.setdefault("help_text", lazy(_length_help, str)())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        video = super().clean(data, initial)
        if video and hasattr(video, "read"):
            video = strip_video_location(video)
            # The copy that will be kept is the one that must play.
            check_video_playable(video)
        return video
