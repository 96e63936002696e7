"""Bulk import of transaction files (the Online Retail layout) into customers, products and orders.

`python -m crm_backend import transactions FILE`; the format is described in docs/IMPORT_FORMAT.md.
"""
