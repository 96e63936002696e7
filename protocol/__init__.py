"""The contract between Concierge's processes, defined once.

The web widget, the Telegram bridge, Rasa's channels (Python 3.10), the actions, and the
CRM's transcript indexer (Python 3.11) exchange metadata keys, conversation ids and payload
shapes. They are defined here and nowhere else. This package imports only the standard
library, so both environments import it as it is.

- `protocol.metadata`: the keys of a user message's metadata and the names of the channels.
- `protocol.conversations`: how conversation (sender) ids are made and recognised.
- `protocol.payloads`: custom payloads (product cards) and buttons, built and checked.
- `protocol.limits`: the one message-size limit every channel applies.
"""
