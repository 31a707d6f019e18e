"""The API's documentation pages, served with nothing from outside this server."""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

# Redoc's sidebar footer draws its maker's logo from a CDN, whatever its options say; the copy
# served here draws nothing there (an empty data: image hides itself), so the page asks nothing
# of any other server.
REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
SOURCE_MAP = "//# sourceMappingURL=redoc.standalone.js.map"


@cache
def redoc_bundle() -> bytes:
    """drf-spectacular-sidecar's Redoc, with the logo's address replaced, read once."""
    path = finders.find(REDOC_BUNDLE)
    if path is None:  # pragma: no cover - the sidecar is a requirement
        raise FileNotFoundError(REDOC_BUNDLE)
    with open(path, encoding="utf-8") as bundle:
        text = bundle.read()
    # The map no longer matches the text (and is not served next to this address).
    return text.replace(REDOC_LOGO, "data:,").replace(SOURCE_MAP, "").encode("utf-8")


@require_safe
def redoc_bundle_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(redoc_bundle(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
