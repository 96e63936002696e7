"""Limits every channel applies the same way."""

# Longest user message, in characters, that any channel accepts (longer ones are refused).
MAX_MESSAGE_CHARS = 4000
# Longest conversation (sender) id: the SQL tracker store's sender_id column.
MAX_CONVERSATION_ID_CHARS = 255
