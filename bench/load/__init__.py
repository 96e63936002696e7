"""Load benchmark of the REST channel: Concierge against a bare `rasa init` assistant."""
