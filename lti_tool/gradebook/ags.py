"""The LMS's Assignment and Grade Services as the tool uses them: line items and scores.

Tokens, requests and failures are platforms.services' (the rosters use them too); a failure is a
ServiceFailure that says whether retrying can help.
"""
from urllib.parse import urlsplit, urlunsplit

from ..platforms import services
from ..platforms.services import ServiceFailure

SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINEITEM_SCOPE, LINEITEM_READ_SCOPE, SCORE_SCOPE = (
    SCOPE + "lineitem", SCOPE + "lineitem.readonly", SCOPE + "score")
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MAX_PAGES = 20


class Client(services.Client):
    """One worker's connection to the LMSs it delivers scores to."""

    def find_or_create_line_item(self, platform, lineitems_url: str, resource_link_id: str,
                                 label: str, tag: str) -> str:
        """The URL of the code's line item in the course: an existing one, or a new one for this link.

        Found by its tag and resource id, whichever link created it: the course has one column.
        """
        scopes = (LINEITEM_SCOPE,)
        url, params = lineitems_url, {"resource_id": tag, "tag": tag}
        for _page in range(MAX_PAGES):
            response = self.call(platform, scopes, "GET", url, params=params, accept=LINEITEMS_TYPE)
            items = services.json_of(response)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("id") and item.get("tag") == tag \
                        and item.get("resourceId") == tag:
                    return item["id"]
            url, params = response.links.get("next", {}).get("url"), None
            if not url:
                break
        created = services.json_of(self.call(
            platform, scopes, "POST", lineitems_url, content_type=LINEITEM_TYPE, accept=LINEITEM_TYPE,
            body={"label": label, "scoreMaximum": 1, "tag": tag, "resourceId": tag,
                  "resourceLinkId": resource_link_id}))
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise ServiceFailure("the LMS created a line item without an id", transient=True)
        return created["id"]

    def post_score(self, platform, lineitem_url: str, score: dict) -> None:
        self.call(platform, (SCORE_SCOPE,), "POST", scores_url(lineitem_url), body=score,
                  content_type=SCORE_TYPE)


def scores_url(lineitem_url: str) -> str:
    """The line item URL with /scores appended to its path, its query kept (AGS 2.0 §3.4.1)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))
