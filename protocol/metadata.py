"""Keys of a user message's metadata, and the names of the channels.

A channel puts these into the metadata of each user message; Rasa stores the metadata with
the user event (after `protocol.metadata.STORED_KEYS` filtering) and passes it to the actions.
Which channel a message came in on is *not* a metadata key: it is the name of the Rasa input
channel that received it (`tracker.get_latest_input_channel()`), which a client cannot choose.
"""

# A short-lived signed token naming the customer (audience `concierge-chat`). Never stored.
CUSTOMER_TOKEN = "customer_token"
# The client's id for one message, so that a message sent again is answered once.
MESSAGE_ID = "message_id"
# True when the client sends a message again after a dropped connection.
RETRY = "retry"
# The language the client believes the customer uses (BCP 47, e.g. "en", "zh-CN").
LANGUAGE = "language"
# Where a reply for this conversation must be delivered on its channel (Telegram: the chat id).
CHANNEL_ADDRESS = "channel_address"

# The keys a client may send; anything else in the metadata is dropped by the channel.
CLIENT_KEYS = frozenset({CUSTOMER_TOKEN, MESSAGE_ID, RETRY, LANGUAGE, CHANNEL_ADDRESS})
# The keys that may rest in the tracker store: never the token.
STORED_KEYS = frozenset({MESSAGE_ID, LANGUAGE, CHANNEL_ADDRESS})

# Names of Rasa's input channels, as `tracker.get_latest_input_channel()` reports them.
WIDGET_CHANNEL = "socketio"
TELEGRAM_CHANNEL = "telegram"
REST_CHANNEL = "rest"
CHANNELS = frozenset({WIDGET_CHANNEL, TELEGRAM_CHANNEL, REST_CHANNEL})


def client_metadata(raw: object) -> dict:
    """The known keys of a client's metadata, with values of the right type; others dropped."""
    if not isinstance(raw, dict):
        return {}
    clean: dict = {}
    for key in (CUSTOMER_TOKEN, MESSAGE_ID, LANGUAGE, CHANNEL_ADDRESS):
        value = raw.get(key)
        if isinstance(value, str) and value and len(value) <= 4096:
            clean[key] = value
        elif key == CHANNEL_ADDRESS and isinstance(value, int) and not isinstance(value, bool):
            clean[key] = str(value)
    if raw.get(RETRY) is True:
        clean[RETRY] = True
    return clean


def stored_metadata(metadata: object) -> dict:
    """What of a message's metadata may be stored: no token, nothing unknown."""
    if not isinstance(metadata, dict):
        return {}
    return {key: value for key, value in metadata.items() if key in STORED_KEYS}
