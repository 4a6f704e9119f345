"""Cookies that survive inside an LMS iframe: SameSite=None; Secure; Partitioned."""
from pylti1p3.contrib.flask import FlaskCookieService


class FrameCookieService(FlaskCookieService):
    """pylti1p3's cookie service sets SameSite=None only over HTTPS; ours always does, partitioned."""

    def update_response(self, response):
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(key, str(data["value"]), max_age=data["exp"], path="/",
                                secure=True, httponly=True, samesite="None", partitioned=True)
