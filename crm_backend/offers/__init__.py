"""Personal treatment decided by the CRM: retention offers and VIP recognition."""
