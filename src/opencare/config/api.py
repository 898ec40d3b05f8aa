"""The site's API: one OpenAPI document (/api/openapi.json) and its documentation page (/api/docs)."""

from ninja import NinjaAPI

from opencare.participation.api import router as feedback_router
from opencare.publishing.api import router as publishing_router
from opencare.publishing.spreadsheet_api import router as spreadsheet_router
from opencare.registry.api import router as registry_router
from opencare.reviews.api import router as review_router

api = NinjaAPI(
    title="opencare API",
    version="1",
    description="Social care contracts in the Open Contracting Data Standard: releases, records and organisations "
    "from the registry, published feedback stories and replies, and the Data Review Tool, all without an account; "
    "and, for publishers' own systems, posting releases, actuals and the social care template with an API token "
    "(Publishing).",
    urls_namespace="api-1",
)
api.add_router("/review", review_router)
api.add_router("", registry_router)
api.add_router("", publishing_router)
api.add_router("", spreadsheet_router)
api.add_router("", feedback_router)
