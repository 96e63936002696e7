"""Telegram bridge: Telegram users talk to the Rasa assistant through python-telegram-bot.

Messages go to Rasa's REST channel with the sender id `tg-<chat_id>-<user_id>` and, when the
Telegram user is linked to a customer, a short-lived customer token that the CRM issues for
each message (the bridge never holds the signing secret). Run it with
`python -m channels.telegram`; settings come from the environment (see `settings.py`).
"""
