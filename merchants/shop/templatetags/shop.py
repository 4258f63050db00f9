from django import template

from ..models import Product

register = template.Library()


@register.simple_tag(takes_context=True)
def products_on_sale(context, merchant):
    """The merchant's products on sale, as the visitor may see them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return list(Product.objects.visible_to(user).filter(merchant=merchant).on_sale()
                .select_related("image").order_by("sort_order", "pk"))
