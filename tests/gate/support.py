"""A real git repository in a temporary folder, and the two-service contracts the tests change.

v1 has three services: ``gateway`` (calls orders' createOrder and getOrder), ``orders``
(calls stock's reserveStock) and ``stock``. v2 changes orders and stock:

- orders 1.0.0 → 1.1.0 (no major bump): getOrder gains a required query parameter (breaking,
  used by gateway), listLegacyOrders (deprecated, sunset 2025-06-30) is removed,
  exportOrders becomes deprecated, internalStats (``x-internal``) is removed.
- stock 1.0.0 → 2.0.0: getStock's ``sku`` gets ``maxLength: 8`` (breaking, but orders only
  uses reserveStock).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

SUNSET = "2025-06-30"
AFTER_SUNSET = "2025-07-01"
BEFORE_SUNSET = "2025-01-01"

ORDERS_V1 = f"""\
openapi: 3.1.0
info: {{title: orders, version: 1.0.0}}
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [sku]
              properties:
                sku: {{type: string}}
      responses: {{'201': {{description: created}}}}
  /orders/{{id}}:
    get:
      operationId: getOrder
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses: {{'200': {{description: ok}}}}
  /orders/legacy:
    get:
      operationId: listLegacyOrders
      deprecated: true
      x-sunset: '{SUNSET}'
      responses: {{'200': {{description: ok}}}}
  /orders/export:
    get:
      operationId: exportOrders
      responses: {{'200': {{description: ok}}}}
  /internal/stats:
    get:
      operationId: internalStats
      x-internal: true
      responses: {{'200': {{description: ok}}}}
"""

ORDERS_V2 = """\
openapi: 3.1.0
info: {title: orders, version: 1.1.0}
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [sku]
              properties:
                sku: {type: string}
      responses: {'201': {description: created}}
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: tenant, in: query, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
  /orders/export:
    get:
      operationId: exportOrders
      deprecated: true
      responses: {'200': {description: ok}}
"""

STOCK_V1 = """\
openapi: 3.1.0
info: {title: stock, version: 1.0.0}
paths:
  /stock/{sku}:
    get:
      operationId: getStock
      parameters:
        - {name: sku, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
  /reservations:
    post:
      operationId: reserveStock
      responses: {'201': {description: reserved}}
"""

STOCK_V2 = STOCK_V1.replace("version: 1.0.0", "version: 2.0.0").replace(
    "schema: {type: string}}", "schema: {type: string, maxLength: 8}}"
)

GATEWAY = """\
openapi: 3.1.0
info: {title: gateway, version: 1.0.0}
paths:
  /api/orders:
    post:
      operationId: placeOrder
      responses: {'201': {description: created}}
"""

SERVICES: list[dict[str, Any]] = [
    {
        "name": "gateway",
        "role": "gateway",
        "spec": "specs/gateway.yaml",
        "mayCall": ["orders"],
        "consumes": {"orders": ["createOrder", "getOrder"]},
    },
    {
        "name": "orders",
        "spec": "specs/orders.yaml",
        "mayCall": ["stock"],
        "consumes": {"stock": ["reserveStock"]},
    },
    {"name": "stock", "spec": "specs/stock.yaml"},
]


class GitRepo:
    """A git work tree under ``path`` with helpers to write files and commit them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "ci@example.invalid")
        self.git("config", "user.name", "CI")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, text=True, timeout=60, check=True
        )
        return proc.stdout

    def write(self, relative: str, text: str) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def remove(self, relative: str) -> None:
        (self.path / relative).unlink()

    def inventory(self, services: list[dict[str, Any]]) -> None:
        self.write(
            "specs/service-inventory.json",
            json.dumps({"version": 1, "services": services}, indent=2) + "\n",
        )

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def shop_repo(path: Path, *, change: bool = True) -> GitRepo:
    """Commit v1 of the services, then (with ``change``) v2: ``HEAD~1`` is v1, HEAD v2."""
    repo = GitRepo(path)
    repo.write("specs/orders.yaml", ORDERS_V1)
    repo.write("specs/stock.yaml", STOCK_V1)
    repo.write("specs/gateway.yaml", GATEWAY)
    repo.inventory(SERVICES)
    repo.commit("v1")
    if change:
        repo.write("specs/orders.yaml", ORDERS_V2)
        repo.write("specs/stock.yaml", STOCK_V2)
        repo.commit("v2")
    return repo


def generated_spec(name: str, *, changed: bool, operations: int = 12) -> str:
    """A mid-sized contract (``operations`` resources with schemas); ``changed`` adds one
    required query parameter to the first operation, a single breaking change."""
    lines = ["openapi: 3.1.0", f"info: {{title: {name}, version: 1.0.0}}", "paths:"]
    for i in range(operations):
        lines += [
            f"  /{name}/items{i}/{{id}}:",
            "    get:",
            f"      operationId: get{name.title().replace('-', '')}Item{i}",
            "      parameters:",
            "        - {name: id, in: path, required: true, schema: {type: string}}",
            "        - {name: expand, in: query, schema: {type: boolean}}",
        ]
        if changed and i == 0:
            lines.append(
                "        - {name: tenant, in: query, required: true, schema: {type: string}}"
            )
        lines += [
            "      responses:",
            "        '200':",
            "          description: ok",
            "          content:",
            "            application/json:",
            f"              schema: {{$ref: '#/components/schemas/Item{i}'}}",
            "        '404': {description: not found}",
        ]
    lines += ["components:", "  schemas:"]
    for i in range(operations):
        lines += [
            f"    Item{i}:",
            "      type: object",
            "      required: [id, quantity]",
            "      properties:",
            "        id: {type: string, maxLength: 64}",
            "        quantity: {type: integer, minimum: 0}",
            "        status: {type: string, enum: [new, paid, shipped]}",
            "        tags: {type: array, items: {type: string}}",
        ]
    return "\n".join(lines) + "\n"


def generated_repo(path: Path, count: int) -> GitRepo:
    """``count`` services committed at HEAD~1, each with one breaking change at HEAD."""
    repo = GitRepo(path)
    names = [f"svc-{i:03d}" for i in range(count)]
    for name in names:
        repo.write(f"specs/{name}.yaml", generated_spec(name, changed=False))
    repo.inventory([{"name": n, "spec": f"specs/{n}.yaml"} for n in names])
    repo.commit("v1")
    for name in names:
        repo.write(f"specs/{name}.yaml", generated_spec(name, changed=True))
    repo.commit("v2")
    return repo
