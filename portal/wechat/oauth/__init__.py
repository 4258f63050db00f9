"""Login from inside WeChat: the Official Account's web-page OAuth as a django-allauth
provider ("wechat_mp"), linking a WeChat identity (openid) to a portal account."""
