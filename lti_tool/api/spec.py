"""The OpenAPI document: every API view registers itself with `document()`; schemas come from marshmallow."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

_paths: list[tuple[str, dict]] = []
_schemas: dict[str, type] = {}


def document(path: str, operations: dict, schemas: dict[str, type] | None = None):
    """Describe an API path (OpenAPI operations by method) and the schemas it names."""
    _paths.append((path, operations))
    _schemas.update(schemas or {})


def spec() -> APISpec:
    api = APISpec(title="Veilig Online API", version="1", openapi_version="3.0.3",
                  plugins=[MarshmallowPlugin()],
                  info={"description": "Authenticate with the launch token in X-Launch-Token."})
    api.components.security_scheme("launchToken", {"type": "apiKey", "in": "header",
                                                   "name": "X-Launch-Token"})
    for name, schema in sorted(_schemas.items()):
        api.components.schema(name, schema=schema)
    for path, operations in _paths:
        api.path(path=path, operations=operations)
    api.options["security"] = [{"launchToken": []}]
    return api
