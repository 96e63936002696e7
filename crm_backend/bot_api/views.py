"""Turning ORM rows into the /bot/* answer shapes."""

from crm_backend.bot_api.schemas import BotOrder, BotOrderItem, BotProduct, BotRefund, BotReturn
from crm_backend.catalogue.models import Product
from crm_backend.orders.models import Order
from crm_backend.returns.models import Return


def order_view(order: Order) -> BotOrder:
    shipment = order.shipment
    return BotOrder(
        number=order.number,
        status=order.status,
        placed_at=order.placed_at,
        shipped_at=shipment.shipped_at if shipment else None,
        delivered_at=shipment.delivered_at if shipment else None,
        estimated_delivery=order.estimated_delivery,
        carrier=shipment.carrier if shipment else None,
        tracking_number=shipment.tracking_number if shipment else None,
        total=order.total,
        currency=order.currency,
        shipping_address=order.shipping_address,
        changeable=order.is_changeable,
        items=[
            BotOrderItem(
                product_name=item.product.name, sku=item.product.sku, quantity=item.quantity, unit_price=item.unit_price
            )
            for item in order.items
        ],
    )


def product_view(product: Product) -> BotProduct:
    return BotProduct(
        sku=product.sku,
        name=product.name,
        category=product.category_name,
        unit_price=product.unit_price,
        in_stock=product.in_stock,
        image_url=product.image_url,
        description=product.description,
    )


def return_view(record: Return) -> BotReturn:
    return BotReturn(
        reference=record.reference,
        order_number=record.order.number,
        status=record.status,
        created_at=record.created_at,
        refunds=[BotRefund.model_validate(refund) for refund in record.refunds],
    )
