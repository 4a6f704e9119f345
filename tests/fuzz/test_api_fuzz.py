"""Schemathesis against the served OpenAPI document: every operation, for every role and for nobody.

Generated requests, valid by the document and invalid on purpose, with real path ids (this
school's and another school's) among the random ones, never get a server error; every refusal is
JSON with a message, and every answer fits what the document says of it.
"""

import pytest
import requests
import schemathesis
from hypothesis import given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.fuzz.conftest import API_REQUESTS, FUZZ, ROLES, all_selected


def _operations() -> list[str]:
    """The operations of the document, read at collection time the way the tool builds it."""
    import lti_tool  # the factory imports every module with API routes (its ROUTES)
    from lti_tool.api.spec import spec
    assert lti_tool.ROUTES
    return [f"{method.upper()} {path}" for path, methods in spec().to_dict()["paths"].items()
            for method in methods]


OPERATIONS = _operations()
# Examples per operation: nobody is refused at the door, so a few are enough; the roles share the rest.
ANONYMOUS_EXAMPLES = 10
ROLE_EXAMPLES = (API_REQUESTS - ANONYMOUS_EXAMPLES * len(OPERATIONS)) // (len(ROLES) * len(OPERATIONS)) + 1


def an_error_has_a_message(ctx, response, case):
    """A refusal says why, as JSON with a message (the API never answers an HTML error page)."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], \
            f"{response.status_code} without a message: {response.text[:300]}"
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          an_error_has_a_message]


@pytest.fixture(scope="module")
def api_schema(tool_url):
    return schemathesis.openapi.from_url(f"{tool_url}/api/v1/openapi.json")


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def _cases(operation, world) -> st.SearchStrategy:
    """Valid and invalid requests; where the path names a case, course or report, real ids too."""
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    names = {p.name for p in operation.path_parameters}
    known = []
    if "report_id" in names:
        known = [{"report_id": world["case_id"]}, {"report_id": world["foreign_case_id"]}]
    elif "reference" in names:
        known = [{"reference": world["reference"]}, {"reference": world["foreign_reference"]}]
    elif "course_id" in names:
        known = [{"course_id": world["course_id"]}]
    strategies += [operation.as_strategy(generation_mode=mode, path_parameters=ids)
                   for ids in known for mode in modes]
    return st.one_of(strategies)


@pytest.mark.parametrize("who", [None, *ROLES])
@pytest.mark.parametrize("label", OPERATIONS)
def test_no_generated_request_gets_a_server_error(api_schema, http, tool_url, world, sent, who, label):
    operation = api_schema.find_operation_by_label(label)
    headers = {"X-Launch-Token": world["tokens"][who]} if who else {}
    base_url = f"{tool_url}/api/v1"

    @settings(FUZZ, max_examples=ROLE_EXAMPLES if who else ANONYMOUS_EXAMPLES)
    @given(case=_cases(operation, world))
    def fuzz(case):
        response = case.call(base_url=base_url, session=http, headers=headers, timeout=30)
        sent.add("api")
        case.validate_response(response, checks=CHECKS, headers=headers)

    fuzz()


def test_the_api_fuzzers_sent_their_share(request, sent, capsys):
    all_selected(request, len(OPERATIONS) * (len(ROLES) + 1))
    with capsys.disabled():  # shown in CI's log, not only with -s
        print(f"\nAPI fuzzing on {sent.database}: {sent['api']} requests")
    assert sent["api"] >= API_REQUESTS
