"""Photos a resident chose in WeChat (wx.chooseImage, then wx.uploadImage): the page sends
their serverIds, and the server downloads each from WeChat's temporary media API
(cgi-bin/media/get), which keeps them for three days.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from wechatpy.exceptions import WeChatClientException

from portal.wechat.client import client_for

from .checks import NOT_A_PICTURE, PHOTO_EXTENSIONS, check_photo

INVALID_MEDIA_ID = 40007
MEDIA_GONE = _("A photo chosen in WeChat is no longer available. Please choose it again.")


def fetch_wechat_media(account, media_id):
    """The photo behind ``media_id`` as a ContentFile, checked like any upload.

    Raises ValidationError when WeChat does not know the media_id (expired, or never
    uploaded to this account) or it is not a picture; other WeChat or network errors
    (WeChatClientException, requests' errors) are passed on, so a task can retry them.
    """
    try:
        response = client_for(account).media.download(media_id)
    except WeChatClientException as error:
        if error.errcode == INVALID_MEDIA_ID:
            raise ValidationError(MEDIA_GONE, code="wechat_media_gone") from None
        raise
    if isinstance(response, dict):
        # A video's media_id answers with JSON (its video_url), not with the picture.
        raise ValidationError(NOT_A_PICTURE, code="not_a_picture")
    # Named by its content, not by the media_id (which works for anyone holding it).
    photo = ContentFile(response.content)
    image_format = check_photo(photo)
    digest = hashlib.sha256(response.content).hexdigest()[:16]
    photo.name = f"wechat-{digest}.{PHOTO_EXTENSIONS[image_format]}"
    return photo
