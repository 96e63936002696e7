"""Channel bridges' part of /bot: linking chat identities, per-message tokens, the outbox.

The routes belong to the links context (`crm_backend.links.router`); this module only
mounts them next to the action server's routes, behind the same service token.
"""

from crm_backend.links.router import router

__all__ = ["router"]
