"""LTI roles map to the tool's roles; nothing in a launch makes someone a coordinator."""
import pytest

from lti_tool.security import SCHOOL_ADMIN, STAFF, STUDENT, app_role

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize("roles, expected", [
    ([LIS + "membership#Learner"], STUDENT),
    (["Learner"], STUDENT),
    ([LIS + "membership#Instructor"], STAFF),
    (["Instructor"], STAFF),
    ([LIS + "membership/Instructor#TeachingAssistant"], STAFF),
    ([LIS + "membership#ContentDeveloper"], STAFF),
    ([LIS + "institution/person#Faculty", LIS + "membership#Learner"], STAFF),
    ([LIS + "institution/person#Administrator", LIS + "membership#Instructor"], SCHOOL_ADMIN),
    ([LIS + "system/person#Administrator"], SCHOOL_ADMIN),
    ([], STUDENT),
    (["http://example.com/roles#Wizard"], STUDENT),
    ([LIS + "institution/person#Student", LIS + "membership#Learner"], STUDENT),
])
def test_lti_roles_map_to_app_roles(roles, expected):
    assert app_role(roles) == expected


def test_no_lti_role_maps_to_coordinator():
    assert app_role(["Coordinator", "http://purl.imsglobal.org/vocab/lis/v2/membership#Coordinator"]) == STUDENT
