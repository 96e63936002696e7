"""Concierge CRM service: customers, orders and the narrow API the bot uses."""
