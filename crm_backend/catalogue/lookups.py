"""Write the bot's product and category lookup tables from the CRM catalogue.

    python -m crm_backend catalogue lookups nlu_data/lookups/catalogue.yml

Uses DATABASE_URL (see crm_backend.core.config). Retrain the bot afterwards (`make train`).
"""

import json
import sys
from pathlib import Path

import yaml
from sqlalchemy import select

from crm_backend.catalogue.models import Category
from crm_backend.catalogue.service import list_product_names
from crm_backend.core.config import get_settings
from crm_backend.core.db import make_engine, make_session_factory

HEADER = "# Generated from the CRM catalogue by `python -m crm_backend catalogue lookups`; do not edit.\n"


def render_lookups(product_names: list[str], category_names: list[str]) -> str:
    """Rasa NLU YAML with one lookup table for products and one for categories."""
    lines = [HEADER, 'version: "3.1"\n', "nlu:\n"]
    for table, names in (("product", product_names), ("category", category_names)):
        lines.append(f"  - lookup: {table}\n    examples: |\n")
        # Quoting keeps names such as "Puzzle: 1000 pieces" valid YAML list items.
        lines.extend(f"      - {json.dumps(name, ensure_ascii=False)[1:-1]}\n" for name in sorted(set(names)))
    text = "".join(lines)
    yaml.safe_load(text)  # fail here, not in `rasa train`, if a name breaks the format
    return text


def write_lookups(output: Path) -> int:
    """`python -m crm_backend catalogue lookups OUTPUT` (crm_backend.cli)."""
    engine = make_engine(get_settings().database_url)
    with make_session_factory(engine)() as db_session:
        products = list_product_names(db_session=db_session)
        categories = list(db_session.scalars(select(Category.name)))
    engine.dispose()
    if not products:
        print("error: the catalogue is empty; import or seed products first", file=sys.stderr)
        return 1
    output.write_text(render_lookups(products, categories))
    print(f"Wrote {len(products)} products and {len(categories)} categories to {output}")
    return 0
