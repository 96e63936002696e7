"""Custom actions of the Concierge assistant (rasa_sdk, Python 3.11).

They reach customer data only through `actions.crm_client`, over the CRM's HTTP API.
"""
