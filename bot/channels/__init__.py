"""Rasa input channels of Concierge (run inside the Rasa environment)."""
