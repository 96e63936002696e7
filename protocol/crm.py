"""Headers of the action server's calls to the CRM's /bot/* API.

Every call for a customer names the conversation it is made in, so that the CRM can record
the conversation's owner on the first verified call and refuse a token for anyone else in it
afterwards (HTTP 403, error code `CONVERSATION_OWNED_BY_ANOTHER`).
"""

# The short-lived signed customer token of the latest message (protocol.metadata.CUSTOMER_TOKEN).
CUSTOMER_TOKEN_HEADER = "X-Customer-Token"
# The conversation (Rasa sender) id the call is made in (at most MAX_CONVERSATION_ID_CHARS),
# percent-encoded (`urllib.parse.quote(id, safe="")`): a sender id may hold any character.
CONVERSATION_ID_HEADER = "X-Conversation-Id"
# Rasa's input channel of the latest message (protocol.metadata.CHANNELS).
CONVERSATION_CHANNEL_HEADER = "X-Conversation-Channel"
# The error code of a token for another customer than the conversation's owner.
CONVERSATION_OWNED_BY_ANOTHER = "conversation_owned_by_another"
