"""The OpenAPI document: every API view registers itself with `document()`; schemas come from marshmallow."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

_paths: list[tuple[str, dict]] = []
_schemas: dict[str, type] = {}


# What every refusal (4xx) looks like: see errors.render_error; some add fields of their own.
ERROR = {"type": "object", "required": ["error", "message"], "properties": {
    "error": {"type": "string", "description": "a stable code, e.g. invalid, not_found, forbidden"},
    "message": {"type": "string", "description": "what went wrong, in the user's language"},
    "hint": {"type": "string"},
    "errors": {"type": "object", "description": "field name: messages, for invalid input"}}}


def _with_error_bodies(operations: dict) -> dict:
    """Give each refusal that names no body of its own the shared Error body."""
    for operation in operations.values():
        for status, response in operation.get("responses", {}).items():
            if str(status).startswith("4") and "content" not in response:
                response["content"] = {"application/json": {"schema": "Error"}}
    return operations


def document(path: str, operations: dict, schemas: dict[str, type] | None = None):
    """Describe an API path (OpenAPI operations by method) and the schemas it names."""
    _paths.append((path, _with_error_bodies(operations)))
    _schemas.update(schemas or {})


def spec() -> APISpec:
    api = APISpec(title="Veilig Online API", version="1", openapi_version="3.0.3",
                  plugins=[MarshmallowPlugin()],
                  info={"description": "Authenticate with the launch token in X-Launch-Token."})
    api.components.security_scheme("launchToken", {"type": "apiKey", "in": "header",
                                                   "name": "X-Launch-Token"})
    api.components.schema("Error", ERROR)
    for name, schema in sorted(_schemas.items()):
        api.components.schema(name, schema=schema)
    for path, operations in _paths:
        api.path(path=path, operations=operations)
    api.options["security"] = [{"launchToken": []}]
    return api
