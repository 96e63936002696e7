"""What the bot did in a turn, as the benchmark's outcome labels: ONE reviewed table.

Each domain response (the `utter_action` that Rasa records in a bot event's metadata) and the
few actions whose meaning is the action itself map to the labels that describe what the reply
really does. A response may carry two labels only when both are true of it (asking to rephrase
is both the fallback and a request to clarify). A response not in the table gives no label, so a
turn answered only by it fails: nothing is counted as right by default.

`info:<topic>` labels also match an expected bare `info`.
"""

# response (or retrieval response, "utter_faq/<key>") -> labels
RESPONSES: dict[str, tuple[str, ...]] = {
    # conversation
    "utter_greet": ("greet",),
    "utter_greet_vip": ("greet",),
    "utter_greet_vip_no_tier": ("greet",),
    "utter_greet_personal": ("greet",),
    "utter_goodbye": ("goodbye",),
    "utter_you_are_welcome": ("thanks_ack",),
    "utter_iamabot": ("chitchat",),
    "utter_out_of_scope": ("out_of_scope",),
    "utter_ask_rephrase": ("fallback", "clarify"),
    "utter_offer_human": ("handoff_offer",),
    "utter_form_stopped": ("not_done",),
    "utter_ask_identify": ("sign_in_needed",),
    "utter_conversation_belongs_to_another": ("refuse_not_allowed",),
    # orders
    "utter_order_status": ("order_status",),
    "utter_order_status_named": ("order_status",),
    "utter_order_not_late": ("order_status",),
    "utter_order_items": ("order_items",),
    "utter_tracking_number": ("tracking",),
    "utter_tracking_not_yet": ("tracking",),
    "utter_tracking_none": ("tracking",),
    "utter_recent_orders": ("list_orders",),
    "utter_recent_orders_named": ("list_orders",),
    "utter_no_orders": ("list_orders",),
    "utter_no_orders_named": ("list_orders",),
    "utter_ask_order_id": ("ask_which_order",),
    "utter_ask_which_order": ("ask_which_order",),
    "utter_not_an_order_number": ("clarify",),
    "utter_order_not_found": ("not_found",),
    "utter_ask_new_address": ("ask_address",),
    "utter_address_incomplete": ("clarify",),
    "utter_ask_cancel_confirmed_order": ("ask_confirmation",),
    "utter_order_kept": ("not_done",),
    "utter_order_cancelled": ("done",),
    "utter_address_changed": ("done",),
    "utter_cancel_refused": ("refuse_not_allowed",),
    "utter_address_change_refused": ("refuse_not_allowed",),
    "utter_order_change_refused": ("refuse_not_allowed",),
    "utter_delivery_options": ("info:delivery_options",),
    "utter_delivery_time": ("info:delivery_time",),
    # tickets
    "utter_order_change_ticket": ("ticket_opened",),
    "utter_delivery_problem_ticket": ("ticket_opened",),
    "utter_delivery_problem_ticket_order": ("ticket_opened",),
    "utter_complaint_opened": ("ticket_opened",),
    "utter_payment_problem_ticket": ("ticket_opened",),
    "utter_handoff_ticket": ("ticket_opened",),
    "utter_ticket_updated": ("ticket_updated",),
    # returns and refunds
    "utter_ask_return_reason": ("ask_reason",),
    "utter_return_registered": ("done",),
    "utter_return_not_started": ("not_done",),
    "utter_return_window_closed": ("refuse_not_allowed",),
    "utter_return_not_delivered": ("refuse_not_allowed",),
    "utter_return_already_requested": ("refuse_not_allowed",),
    "utter_returns_list": ("state_answer",),
    "utter_no_returns": ("state_answer",),
    "utter_refund_policy": ("info:refunds",),
    "utter_request_refund": ("info:refunds",),
    "utter_cancellation_fees": ("info:cancellation_fees",),
    # payments, account, shopping
    "utter_payment_methods": ("info:payment_methods",),
    "utter_payment_method_accepted": ("info:payment_methods",),
    "utter_payment_method_not_accepted": ("info:payment_methods",),
    "utter_invoice_where": ("info:invoices",),
    "utter_invoice_summary": ("info:invoices",),
    "utter_create_account": ("info:account",),
    "utter_edit_account": ("info:account",),
    "utter_delete_account": ("info:account",),
    "utter_switch_account": ("info:account",),
    "utter_registration_problem": ("info:account",),
    "utter_recover_password": ("info:password",),
    "utter_newsletter_subscribed": ("done",),
    "utter_newsletter_unsubscribed": ("done",),
    "utter_place_order": ("info:ordering",),
    "utter_leave_review": ("info",),
    # products and loyalty
    "utter_product_price": ("product_info",),
    "utter_product_in_stock": ("product_info",),
    "utter_product_out_of_stock": ("product_info",),
    "utter_product_details_in_stock": ("product_info",),
    "utter_product_details_out_of_stock": ("product_info",),
    "utter_product_not_found": ("not_found",),
    "utter_ask_which_product": ("clarify",),
    "utter_recommendations": ("recommendations",),
    "utter_best_sellers": ("recommendations",),
    "utter_no_suggestions": ("recommendations",),
    "utter_loyalty_points": ("state_answer",),
    "utter_loyalty_points_next_tier": ("state_answer",),
    "utter_loyalty_not_member": ("state_answer",),
    # personal treatment
    "utter_retention_offer": ("retention_offer",),
    "utter_sorry_to_hear": ("handoff_offer",),
    # handoff and satisfaction
    "utter_handoff_queued": ("handoff_queued",),
    "utter_handoff_queued_eta": ("handoff_queued",),
    "utter_handoff_wait_ack": ("handoff_wait_ack",),
    "utter_handoff_wait_ack_eta": ("handoff_wait_ack",),
    "utter_handoff_cancelled": ("handoff_cancelled",),
    "utter_agents_offline": ("agents_offline",),
    "utter_ask_csat": ("csat_ask",),
    "utter_thank_csat": ("csat_thanks",),
    # channels
    "utter_message_too_long": ("too_long",),
    "utter_unsupported_language": ("unsupported_language",),
    # FAQ (retrieval) answers by key
    "utter_faq/shipping_costs": ("info:shipping",),
    "utter_faq/international_shipping": ("info:shipping",),
    "utter_faq/opening_hours": ("info:opening_hours",),
    "utter_faq/store_locations": ("info:contact",),
    "utter_faq/contact_details": ("info:contact",),
    "utter_faq/warranty": ("info:warranty",),
    "utter_faq/privacy": ("info:privacy",),
    "utter_faq/gift_cards": ("info:gift_cards",),
    "utter_faq/payment_security": ("info:payment_security",),
    "utter_faq/price_match": ("info",),
}
# Every chitchat answer is chitchat.
RESPONSE_PREFIXES: dict[str, tuple[str, ...]] = {"utter_chitchat/": ("chitchat",)}

# Actions whose meaning is the action itself (their reply is a generic one).
ACTIONS: dict[str, tuple[str, ...]] = {
    "action_decline_offer": ("not_done",),
}

AGENT_MESSAGE = "agent_message"  # a bot event carrying the agent's id (crm_backend/handoff/rasa.py)


def response_labels(name: str | None) -> tuple[str, ...]:
    if not name:
        return ()
    if name in RESPONSES:
        return RESPONSES[name]
    return next((labels for prefix, labels in RESPONSE_PREFIXES.items() if name.startswith(prefix)), ())


def turn_labels(events: list[dict]) -> set[str]:
    """The labels of the bot and action events of one turn."""
    labels: set[str] = set()
    for event in events:
        kind = event.get("event")
        if kind == "bot":
            metadata = event.get("metadata") or {}
            if metadata.get("agent_id") is not None:
                labels.add(AGENT_MESSAGE)
            labels.update(response_labels(metadata.get("utter_action")))
        elif kind == "action":
            labels.update(ACTIONS.get(event.get("name") or "", ()))
    return labels


def matches(expected: list[str], labels: set[str]) -> bool:
    """Any expected label done; an expected bare `info` is met by any `info:<topic>`."""
    any_info = any(label.startswith("info:") for label in labels)
    return any(label in labels or (label == "info" and any_info) for label in expected)
