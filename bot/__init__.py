"""Concierge's Rasa side: custom NLU components, input channels and domain.

Rasa imports this package when it loads our channels (credentials.yml) or components
(config.yml); that is when `bot.speedups` patches Rasa's hot path.
"""

from bot import speedups

speedups.apply()
