"""Every ORM model, imported in one place so metadata and Alembic see them all."""

from crm_backend.agents.models import Agent, AgentSession, Role
from crm_backend.annotations.models import ConversationNote, ConversationTag, NluAnnotation, TrainingJob
from crm_backend.audit.models import AuditEntry
from crm_backend.catalogue.models import Category
from crm_backend.conversations.models import BotDecision, ConversationOwner
from crm_backend.core.db import Base
from crm_backend.customers.models import ChannelIdentity, Consent, Customer, LoyaltyAccount
from crm_backend.handoff.models import CannedReply, CsatRating, Handoff, HandoffRead, OutboundMessage
from crm_backend.imports.models import OrderCharge
from crm_backend.insights.models import ConversationInsight, CustomerScore, Recommendation
from crm_backend.kb.models import Article, ArticleEvent
from crm_backend.links.models import LinkCode
from crm_backend.offers.models import RetentionVoucher
from crm_backend.orders.models import Order, OrderItem, OrderStatus, Shipment
from crm_backend.returns.models import Refund, Return, ReturnItem
from crm_backend.tickets.models import Ticket, TicketMessage
from crm_backend.transcripts.models import ConversationOrder, ConversationSummary, TranscriptIndexState

__all__ = [
    "Agent", "AgentSession", "Article", "ArticleEvent", "AuditEntry", "Base", "BotDecision", "CannedReply",
    "Category", "ChannelIdentity",
    "Consent", "ConversationInsight", "ConversationNote", "ConversationOrder", "ConversationOwner",
    "ConversationSummary", "ConversationTag",
    "CsatRating", "Customer", "CustomerScore", "Handoff", "HandoffRead", "LinkCode", "LoyaltyAccount",
    "NluAnnotation", "Order", "OrderCharge", "OrderItem", "OrderStatus", "OutboundMessage",
    "Recommendation", "Refund", "RetentionVoucher", "Return", "ReturnItem", "Role", "Shipment", "Ticket",
    "TicketMessage", "TrainingJob", "TranscriptIndexState",
]  # fmt: skip
