"""Agents' review of conversations: corrected NLU annotations, internal notes and tags."""
