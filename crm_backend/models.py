"""Every ORM model, imported in one place so metadata and Alembic see them all."""

from crm_backend.catalogue.models import Product
from crm_backend.core.db import Base
from crm_backend.customers.models import Customer
from crm_backend.orders.models import Order, OrderItem, OrderStatus

__all__ = ["Base", "Customer", "Order", "OrderItem", "OrderStatus", "Product"]
