"""Ready-made ASGI apps of the reference services, for ``specguard fuzz --app`` and uvicorn.

``specguard fuzz specs/inventory-service.yaml --app shop.asgi:inventory`` tests the inventory
service in-process; it needs nothing but a data folder (``$SHOP_DATA_DIR``, default a fresh
temporary one). The others talk to their neighbours and Redis: run them with
``python -m shop.run`` and fuzz them with ``--url``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from starlette.applications import Starlette

from shop._config import ServiceName, Settings
from shop.inventory import InventoryService


def _settings(service: ServiceName) -> Settings:
    data_dir = Path(os.environ.get("SHOP_DATA_DIR") or tempfile.mkdtemp(prefix="shop-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        service=service,
        host="127.0.0.1",
        port=0,
        data_dir=data_dir,
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        order_url="",
        inventory_url="",
    )


inventory: Starlette = InventoryService(_settings(ServiceName.INVENTORY)).app()
